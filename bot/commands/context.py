"""Who is asking, and everything a command handler needs to answer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.i18n import Translator
from bot.services import Services


@dataclass(frozen=True)
class Asker:
    """The person behind a command, as the adapter knows them (external ids)."""

    platform: str
    workspace: str
    person: str
    locale: str | None = None
    community: str | None = None


@dataclass(frozen=True)
class Context:
    services: Services
    asker: Asker
    t: Translator
    workspace_id: int
    person_id: int
    today: date

    @property
    def minimum(self) -> int:
        return self.services.settings.min_group_size


class CommandError(Exception):
    """A bad argument: answered with the message and the command's usage, never a trace."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
