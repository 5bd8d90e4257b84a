"""The files of a Slack export: read the same way from a directory or a .zip archive, and
validated with pydantic.

Only metadata fields are declared; everything else (text, files, attachments, topics,
purposes) is dropped while parsing, so it never reaches the rest of Engage. Validation
errors are reported by position and reason, never with the offending value.

Bounds keep every value storable as it is on both databases: ids and names fit the event
keys built from them (`<channel>:<ts>:reaction:<name>:<user>` within 200 characters), time
zones and locales fit their columns, and times stay within the years a datetime holds.
"""

from __future__ import annotations

import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.errors import EngageError

DAY_FILE = re.compile(r"^(?P<folder>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
REQUIRED = ("channels.json", "users.json")

# What reading a damaged, truncated, encrypted or exotic archive member raises.
UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
)

Timestamp = Annotated[str, Field(pattern=r"^[0-9]{1,10}(\.[0-9]{1,9})?$")]
Seconds = Annotated[int, Field(ge=0, le=9_999_999_999)]
Id = Annotated[str, Field(min_length=1, max_length=32)]
ReactionName = Annotated[str, Field(min_length=1, max_length=100)]
Model = TypeVar("Model", bound=BaseModel)


class ExportError(EngageError):
    """The export cannot be read, or one of its files is malformed."""


@dataclass(frozen=True, slots=True)
class DayFile:
    folder: str
    day: str
    name: str


class ExportSource:
    """Lists and reads the export's files by their path relative to the export's root."""

    def __init__(self, path: Path, archive: zipfile.ZipFile | None) -> None:
        self.path = path
        self.name = path.stem if archive is not None else path.name
        self._archive = archive
        files = _archive_files(archive) if archive is not None else _directory_files(path)
        self._prefix = _root_prefix(files)
        self._files = {
            name.removeprefix(self._prefix): name for name in files if name.startswith(self._prefix)
        }
        for required in REQUIRED:
            if required not in self._files:
                raise ExportError(f"{path}: {required} is missing; nothing was imported")

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()

    def read(self, name: str) -> bytes:
        stored = self._files[name]
        try:
            if self._archive is not None:
                return self._archive.read(stored)
            return (self.path / stored).read_bytes()
        except UNREADABLE as error:
            raise ExportError(
                f"{self.path}: cannot read {name} ({_reason(error)}): the export is damaged; "
                "export or unzip it again"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._files

    def day_files(self) -> list[DayFile]:
        """Every `<folder>/<YYYY-MM-DD>.json`, in date order, then folder order."""
        found = []
        for name in self._files:
            if match := DAY_FILE.match(name):
                found.append(DayFile(match["folder"], match["day"], name))
        return sorted(found, key=lambda file: (file.day, file.folder))


def open_export(path: Path) -> ExportSource:
    """Open a directory or a .zip in Slack's export layout; ExportError when it is neither."""
    path = path.expanduser().resolve()
    if path.is_dir():
        return ExportSource(path, None)
    if not path.is_file():
        raise ExportError(f"{path}: no such directory or .zip file")
    if not zipfile.is_zipfile(path):
        raise ExportError(f"{path}: neither a directory nor a .zip file")
    try:
        archive = zipfile.ZipFile(path)
    except UNREADABLE as error:
        raise ExportError(f"{path}: a damaged .zip file ({_reason(error)})") from None
    try:
        return ExportSource(path, archive)
    except BaseException:
        archive.close()
        raise


def _directory_files(root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()]


def _archive_files(archive: zipfile.ZipFile) -> list[str]:
    return [info.filename for info in archive.infolist() if not info.is_dir()]


def _root_prefix(files: list[str]) -> str:
    """'' when channels.json sits at the root; 'name/' when the whole export is in one folder."""
    if "channels.json" in files:
        return ""
    nested = [PurePosixPath(name) for name in files if PurePosixPath(name).name == "channels.json"]
    tops = {path.parent for path in nested if len(path.parts) == 2}
    return f"{tops.pop()}/" if len(tops) == 1 else ""


def _reason(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


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
    is_general: bool = False
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
    inviter: Id | None = None


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
