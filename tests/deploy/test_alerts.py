"""deploy/alerts.yaml: well-formed Prometheus rules on metrics Engage exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.support import DEPLOY, ROOT

METRIC = re.compile(r"\bengage_[a-z_]+\b")


def exported_metrics() -> set[str]:
    """Names registered in the source; a Counter `x` is exposed as `x_total`."""
    names: set[str] = set()
    sources = [ROOT.glob(f"{package}/**/*.py") for package in ("adapters", "bot", "nudges")]
    for path in (path for found in sources for path in found):
        for kind, name in re.findall(
            r"\b(Counter|Gauge|Histogram|Summary)(?:MetricFamily)?\(\s*\"(engage_[a-z_]+)\"",
            path.read_text(),
        ):
            names.add(name)
            if kind == "Counter":
                names.add(name.removesuffix("_total") + "_total")
    return names


@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    loaded = yaml.safe_load((DEPLOY / "alerts.yaml").read_text())
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def test_every_rule_is_complete(rules: list[dict[str, Any]]) -> None:
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in ("critical", "warning", "info")
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["description"]
        assert rule["expr"].count("(") == rule["expr"].count(")")


def test_the_issue_s_alerts_are_there(rules: list[dict[str, Any]]) -> None:
    watched = set(METRIC.findall(" ".join(rule["expr"] for rule in rules)))
    assert {
        "engage_leader",
        "engage_outbox_oldest_age_seconds",
        "engage_ingest_lag_seconds",
        "engage_fold_lag_seconds",
        "engage_deliveries_total",
        "engage_requests_rejected_total",
    } <= watched


def test_every_metric_an_alert_reads_is_exported(rules: list[dict[str, Any]]) -> None:
    known = exported_metrics()
    assert {"engage_requests_rejected_total", "engage_inbox_quarantined_events"} <= known
    for rule in rules:
        for metric in METRIC.findall(rule["expr"]):
            assert metric in known, f"{rule['alert']}: {metric}"


def test_the_metric_scan_finds_what_the_web_app_registers() -> None:
    source = Path(ROOT / "adapters" / "web" / "app.py").read_text()
    assert '"engage_http_requests"' in source
    assert "engage_http_requests_total" in exported_metrics()
    assert "engage_not_a_metric" not in exported_metrics()
