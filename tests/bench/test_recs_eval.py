"""The evaluation's command: every ranker's figures, the target and the ceiling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.recs_eval import ENGAGE, main
from tests.bench.recs.club import CUTOFF, write_club


def test_figures_with_the_ceiling_any_ranker_is_held_to(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    main(
        slack_export=[write_club(tmp_path / "club")],
        every="month",
        horizon_days=10,
        start=CUTOFF.replace(tzinfo=None),
        random_runs=2,
        resamples=50,
        json_out=out,
    )
    [figures] = json.loads(out.read_text(encoding="utf-8"))
    cutoff = f"{CUTOFF:%Y-%m-%d}"
    assert list(figures["per_cutoff"]) == [cutoff]
    # both joins (mine into #mid, U8's into #big) may be suggested: the ceiling is perfect
    assert figures["ceiling"]["pooled"] == dict.fromkeys(
        ("recall@1", "recall@3", "recall@5", "MRR"), 1.0
    )
    assert figures["ceiling"]["per_cutoff"][cutoff] == figures["ceiling"]["pooled"]
    engine = figures["pooled"][ENGAGE]
    assert engine["cases"] == 2
    assert all(engine[m] <= 1.0 for m in figures["ceiling"]["pooled"])
    assert {found["metric"] for found in figures["intervals"]} == set(figures["ceiling"]["pooled"])


def test_a_history_too_short_for_the_horizon_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figures.json"
    main(slack_export=[write_club(tmp_path / "club")], horizon_days=90, json_out=out)
    said = " ".join(capsys.readouterr().out.split())
    assert "no cutoff has its whole 90-day horizon in the history" in said
    assert json.loads(out.read_text(encoding="utf-8")) == []
