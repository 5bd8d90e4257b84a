"""deploy/compose.yaml and deploy/.env.example, checked with PyYAML (no container engine)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.deploy.support import (
    DEPLOY,
    ENGAGE_VARIABLE,
    ROOT,
    SECRET_NAME,
    env_file_variables,
    readme,
    setting_variables,
)

Compose = dict[str, Any]


@pytest.fixture(scope="module")
def compose() -> Compose:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def engage_services(compose: Compose) -> dict[str, Compose]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("build", {}).get("context") == ".."
    }


def servers(compose: Compose) -> dict[str, Compose]:
    return {
        name: service
        for name, service in engage_services(compose).items()
        if service.get("command") == ["serve"]
    }


def test_two_replicas_serve_after_the_one_shot_upgrade(compose: Compose) -> None:
    replicas = servers(compose)
    assert len(replicas) >= 2
    upgrades = [
        name
        for name, service in engage_services(compose).items()
        if service.get("command", [])[:2] == ["db", "upgrade"]
    ]
    assert len(upgrades) == 1
    one_shot = compose["services"][upgrades[0]]
    assert one_shot["restart"] == "no"
    assert "--yes" not in one_shot["command"]
    assert one_shot["depends_on"]["postgres"]["condition"] == "service_healthy"
    for service in replicas.values():
        assert service["depends_on"][upgrades[0]] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_long_running_services_have_health_checks_and_restart_policies(
    compose: Compose,
) -> None:
    for name, service in compose["services"].items():
        if service.get("restart") == "no":
            continue
        assert service.get("restart") in ("always", "unless-stopped", "on-failure"), name
        assert service["healthcheck"]["test"], name
        assert not service["healthcheck"].get("disable"), name
    for service in servers(compose).values():
        assert any("/healthz" in part for part in service["healthcheck"]["test"])


def test_postgresql_keeps_its_data_in_a_volume(compose: Compose) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in compose["volumes"]


def test_the_replicas_sit_behind_the_proxy_and_publish_no_port(compose: Compose) -> None:
    for name, service in engage_services(compose).items():
        assert "ports" not in service, name
    proxy = compose["services"]["proxy"]
    assert proxy["ports"]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert any("./Caddyfile:" in volume for volume in proxy["volumes"])
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile)
    assert upstreams is not None
    assert {f"{name}:3000" for name in servers(compose)} == set(upstreams[1].split())
    assert "health_uri /healthz" in caddyfile
    assert "respond /metrics 404" in caddyfile


def test_secrets_come_from_files_never_from_the_environment(compose: Compose) -> None:
    declared = compose["secrets"]
    assert all(set(secret) == {"file"} for secret in declared.values())
    settings = setting_variables()
    for name, service in engage_services(compose).items():
        assert service["environment"]["ENGAGE_SECRETS_DIR"] == "/run/secrets", name
        for variable in service["environment"]:
            assert not SECRET_NAME.search(variable), f"{name}: {variable}"
        for secret in service["secrets"]:
            assert secret["source"] in declared
            assert secret["target"] in settings, secret["target"]
    postgres = compose["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")
    assert "POSTGRES_PASSWORD" not in postgres["environment"]
    for name, value in env_file_variables(DEPLOY / ".env.example").items():
        if SECRET_NAME.search(name):
            assert value == "", name


def test_every_engage_variable_is_a_setting_documented_in_the_readme(compose: Compose) -> None:
    settings, documented = setting_variables(), readme()
    root_example = (ROOT / ".env.example").read_text()
    used = set(ENGAGE_VARIABLE.findall((DEPLOY / "compose.yaml").read_text()))
    used |= set(ENGAGE_VARIABLE.findall((DEPLOY / ".env.example").read_text()))
    assert {"ENGAGE_SECRETS_DIR", "ENGAGE_PLATFORMS"} <= used
    for name in used:
        assert name in settings, name
        assert name in documented, name
        assert f"{name}=" in root_example, name
    for name in env_file_variables(DEPLOY / ".env.example"):
        assert name in settings or name.startswith("DEPLOY_"), name


def test_the_variable_checks_catch_an_unknown_setting() -> None:
    assert "ENGAGE_DATABASE_URI" not in setting_variables()
    assert "ENGAGE_DATABASE_URL" in setting_variables()
