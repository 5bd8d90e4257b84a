"""What the deployment files are checked against: the settings Engage reads and the README."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENGAGE_VARIABLE = re.compile(r"\bENGAGE_[A-Z0-9_]+\b")
SECRET_NAME = re.compile(
    r"SECRET(?!S_DIR)|PASSWORD(?!_FILE)|TOKEN|_KEY\b|DATABASE_URL", re.IGNORECASE
)


def setting_variables() -> set[str]:
    """Every variable name the settings class reads."""
    names: set[str] = set()
    for info in Settings.model_fields.values():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {str(choice) for choice in alias.choices}
    return names


def readme() -> str:
    return (ROOT / "README.md").read_text()


def env_file_variables(path: Path) -> dict[str, str]:
    """NAME=value lines of an .env file (comments and blank lines skipped)."""
    variables = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables
