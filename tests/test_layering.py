"""The core (`bot/`, `nudges/`) never imports a platform SDK or the HTTP server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp", "adapters")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("package", ["bot", "nudges"])
def test_core_imports_no_platform_code(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    leaks = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert leaks == []


def test_the_checker_sees_a_leak(tmp_path: Path) -> None:
    sample = tmp_path / "leak.py"
    sample.write_text("from slack_sdk.web.async_client import AsyncWebClient\nimport aiohttp.web\n")
    assert imported_modules(sample) == ["slack_sdk.web.async_client", "aiohttp.web"]
