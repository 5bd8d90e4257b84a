"""The shapes of a Slack export's files, validated with pydantic.

Only metadata fields are declared; everything else (text, files, attachments, topics,
purposes) is dropped while parsing, so it never reaches the rest of Engage. Validation
errors are reported by position and reason, never with the offending value.

Bounds keep every value storable as it is on both databases: ids and names fit the event
keys built from them (`<channel>:<ts>:reaction:<name>:<user>` within 200 characters), time
zones and locales fit their columns, and times stay within the years a datetime holds.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.importers.slack_source import ExportError

Timestamp = Annotated[str, Field(pattern=r"^[0-9]{1,10}(\.[0-9]{1,9})?$")]
Seconds = Annotated[int, Field(ge=0, le=9_999_999_999)]
Id = Annotated[str, Field(min_length=1, max_length=32)]
ReactionName = Annotated[str, Field(min_length=1, max_length=100)]
Model = TypeVar("Model", bound=BaseModel)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SlackProfile(_Shape):
    display_name: str | None = None
    real_name: str | None = None


class SlackUser(_Shape):
    id: Id
    name: str = ""
    real_name: str | None = None
    deleted: bool = False
    is_bot: bool = False
    tz: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=16)
    updated: Seconds | None = None
    profile: SlackProfile | None = None


class SlackChannel(_Shape):
    id: Id
    name: str
    created: Seconds
    creator: str | None = Field(default=None, max_length=32)
    is_archived: bool = False
    members: list[Id] = Field(default_factory=list)


class SlackReaction(_Shape):
    name: ReactionName
    users: list[Id] = Field(default_factory=list)


class SlackComment(_Shape):
    user: Id | None = None


class SlackMessage(_Shape):
    type: str | None = None
    subtype: str | None = None
    user: Id | None = None
    bot_id: str | None = None
    ts: Timestamp
    thread_ts: Timestamp | None = None
    reactions: list[SlackReaction] = Field(default_factory=list)
    comment: SlackComment | None = None


USERS = TypeAdapter(list[SlackUser])
CHANNELS = TypeAdapter(list[SlackChannel])
MESSAGES = TypeAdapter(list[SlackMessage])


def parse(adapter: TypeAdapter[list[Model]], name: str, data: bytes) -> list[Model]:
    """Validate one file as a JSON array of objects; ExportError names the file and the place."""
    try:
        return adapter.validate_json(data)
    except ValidationError as exc:
        raise ExportError(f"{name} is malformed: {describe(exc)}") from None


def describe(error: ValidationError) -> str:
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    first = problems[0]
    place = ".".join(str(part) for part in first["loc"])
    where = f"item {place}: " if place else ""
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return f"{where}{first['msg']}{more}"
