"""The image, checked without a container engine: parsed with dockerfile-parse."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

import pytest
from dockerfile_parse import DockerfileParser

from tests.deploy.support import (
    ENGAGE_VARIABLE,
    ROOT,
    SECRET_NAME,
    readme,
    setting_variables,
)

BUILD_TOOLS = re.compile(
    r"\b(gcc|g\+\+|clang|make|build-essential|cmake|[a-z0-9.+-]+-dev|git|curl|wget|rustc|cargo)\b"
)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def values(self, instruction: str) -> list[str]:
        return [value for kind, value in self.instructions if kind == instruction]


def stages(text: str) -> list[Stage]:
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    arguments = {
        name: default
        for kind, value in ((i["instruction"], i["value"]) for i in parser.structure)
        if kind == "ARG"
        for name, _, default in [value.partition("=")]
    }
    found: list[Stage] = []
    for instruction in parser.structure:
        kind, value = instruction["instruction"], instruction["value"]
        if kind == "FROM":
            base, _, name = value.partition(" AS ")
            base = re.sub(r"\$\{(\w+)\}", lambda m: arguments.get(m.group(1), ""), base.strip())
            found.append(Stage(base, name.strip() or None))
        elif found:
            found[-1].instructions.append((kind, value))
    return found


@pytest.fixture(scope="module")
def dockerfile() -> list[Stage]:
    return stages((ROOT / "Dockerfile").read_text())


def test_the_image_is_built_in_two_stages_on_a_slim_python_3_11_or_newer(
    dockerfile: list[Stage],
) -> None:
    assert len(dockerfile) >= 2
    for stage in dockerfile:
        image, _, tag = stage.base.partition(":")
        assert image == "python"
        version = re.match(r"(\d+)\.(\d+)", tag)
        assert version is not None
        assert (int(version[1]), int(version[2])) >= (3, 11)
        assert "slim" in tag
    build, final = dockerfile[0], dockerfile[-1]
    assert any("pip wheel" in run for run in build.values("RUN"))
    assert any(f"--from={build.name}" in copy for copy in final.values("COPY"))


def test_the_final_stage_runs_as_a_non_root_user(dockerfile: list[Stage]) -> None:
    users = dockerfile[-1].values("USER")
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_the_health_check_asks_healthz(dockerfile: list[Stage]) -> None:
    checks = dockerfile[-1].values("HEALTHCHECK")
    assert len(checks) == 1
    assert "/healthz" in checks[0]
    assert "CMD" in checks[0]


def test_the_entry_point_is_engage_serve(dockerfile: list[Stage]) -> None:
    final = dockerfile[-1]
    entrypoint = json.loads(final.values("ENTRYPOINT")[-1]) if final.values("ENTRYPOINT") else []
    command = json.loads(final.values("CMD")[-1]) if final.values("CMD") else []
    assert entrypoint + command == ["engage", "serve"]
    assert "`engage serve" in readme()


def test_no_secret_is_baked_into_a_layer(dockerfile: list[Stage]) -> None:
    for stage in dockerfile:
        for kind, value in stage.instructions:
            if kind in ("ENV", "ARG", "LABEL"):
                for name in re.findall(r"(\w+)=\S+", value):
                    assert not SECRET_NAME.search(name), f"{kind} {value}"
            if kind in ("COPY", "ADD"):
                assert not re.search(r"(^|\s|/)(\.env|secrets?)(\s|/|$)", value), value
    dockerignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert dockerignore[[line.strip() for line in dockerignore].index("**")] == "**"
    assert {"**/.env", "**/*.db"} <= {line.strip() for line in dockerignore}


def test_the_final_stage_has_no_build_tools_nor_caches(dockerfile: list[Stage]) -> None:
    final = dockerfile[-1]
    for run in final.values("RUN"):
        installed = re.findall(r"apt-get install ([^&]*)", run)
        for packages in installed:
            assert not BUILD_TOOLS.search(packages), packages
        if installed:
            assert "rm -rf /var/lib/apt/lists/*" in run
        assert "pip install" not in run or "--no-cache-dir" in run
    assert not any(kind == "ADD" for kind, _ in final.instructions)
    build_runs = " ".join(dockerfile[0].values("RUN"))
    assert "pip uninstall --yes pip setuptools wheel" in build_runs


def test_every_engage_variable_of_the_image_is_a_setting_in_the_readme(
    dockerfile: list[Stage],
) -> None:
    settings, documented = setting_variables(), readme()
    used = {
        name
        for stage in dockerfile
        for value in stage.values("ENV")
        for name in ENGAGE_VARIABLE.findall(value)
    }
    assert used, "the image sets no ENGAGE_* default"
    for name in used:
        assert name in settings, name
        assert name in documented, name


def test_the_checks_catch_a_root_image_with_a_baked_secret_and_a_compiler() -> None:
    """The checks above can fail: a bad Dockerfile trips every one of them."""
    bad = stages(
        "FROM python:3.11-slim AS build\nRUN pip wheel -w /w .\n"
        "FROM python:3.11-slim\nENV SLACK_BOT_TOKEN=xoxb-123 ENGAGE_NOPE=1\n"
        'RUN apt-get update && apt-get install -y gcc\nUSER root\nCMD ["engage"]\n'
    )
    with pytest.raises(AssertionError):
        test_the_final_stage_runs_as_a_non_root_user(bad)
    with pytest.raises(AssertionError):
        test_no_secret_is_baked_into_a_layer(bad)
    with pytest.raises(AssertionError):
        test_the_final_stage_has_no_build_tools_nor_caches(bad)
    with pytest.raises(AssertionError):
        test_the_entry_point_is_engage_serve(bad)
    with pytest.raises(AssertionError):
        test_the_health_check_asks_healthz(bad)
    with pytest.raises(AssertionError):
        test_every_engage_variable_of_the_image_is_a_setting_in_the_readme(bad)
