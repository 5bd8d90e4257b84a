"""Random and mutated Slack exports: each imports, or stops with the importer's own one-line
error; nothing already stored changes either way."""

from __future__ import annotations

import asyncio
import json
import zipfile
from collections import Counter
from itertools import count
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from adapters.slack.export import import_slack_export
from adapters.slack.export_schema import ExportError
from bot.services import Services
from bot.settings import Settings
from tests.support import slack_export as sample
from tests.support.dump import dump_tables
from tests.support.slack_export import corrupt_member, write_export, zip_export

# NUL and lone surrogates are the inbox's to clean on every path (issue #15, item 2), not the
# export parser's; everything else any JSON text may hold is fair game here.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", "U" * 5000, "1467331300.000002", "9" * 12, "-1", "C061A0WJG"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
Files = dict[str, Any]
rarely = st.integers(0, 7).map(lambda one_in_eight: one_in_eight == 0)


def sample_files() -> Files:
    return {
        "users.json": sample.USERS,
        "channels.json": sample.CHANNELS,
        **{name: list(messages) for name, messages in sample.DAYS.items()},
    }


def places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path to every value inside a JSON document, the document itself included."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += places(item, (*path, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {**document, head: replaced(document[head], rest, value)}
    return [replaced(item, rest, value) if i == head else item for i, item in enumerate(document)]


@st.composite
def exports(draw: st.DrawFn) -> tuple[dict[str, bytes], str]:
    """Files of an export and how it is packed: mostly values of any JSON type in place of
    the sample's, sometimes a file missing or added, raw bytes, an odd encoding, a damaged zip."""
    files = sample_files()
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(sorted(files)))
        path = draw(st.sampled_from(places(files[name])[1:] or [()]))
        files[name] = replaced(files[name], path, draw(JSON))
    if draw(rarely):
        files.pop(draw(st.sampled_from(sorted(files))))
    if draw(rarely):
        added = draw(st.sampled_from(["general/2016-07-03.json", "datajam/9999-99-99.json"]))
        files[added] = draw(JSON)
    encoded = {name: json.dumps(value).encode() for name, value in files.items()}
    if encoded and draw(rarely):
        name = draw(st.sampled_from(sorted(encoded)))
        text = json.dumps(files[name], ensure_ascii=False) + draw(TEXT)
        damaged = [text.encode("utf-16"), text.encode("latin-1", errors="replace")]
        damaged.append(encoded[name][: len(encoded[name]) // 2])
        encoded[name] = draw(st.sampled_from(damaged) | st.binary(max_size=64))
    packing = "damaged zip" if draw(rarely) else draw(st.sampled_from(["directory", "zip"]))
    return encoded, packing


def write(files: dict[str, bytes], packing: str, directory: Path) -> Path:
    root = directory / "export"
    root.mkdir()
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    if packing == "directory":
        return root
    archive = zip_export(root, directory / "export.zip")
    if packing == "damaged zip" and files:
        with zipfile.ZipFile(archive) as zipped:
            largest = max(zipped.infolist(), key=lambda info: info.compress_size)
        if largest.compress_size >= 16:
            corrupt_member(archive, largest.filename)
    return archive


def test_any_export_imports_or_fails_in_one_line_and_changes_nothing_stored(
    settings: Settings, tmp_path: Path
) -> None:
    attempts = count()
    with asyncio.Runner() as runner:
        services = Services.build(settings)
        try:
            valid = write_export(tmp_path / "valid")
            runner.run(import_slack_export(services, valid, workspace="export:valid"))
            before = runner.run(_rows(services))

            @hypothesis_settings(
                max_examples=40,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            )
            @given(export=exports())
            def attempt(export: tuple[dict[str, bytes], str]) -> None:
                directory = tmp_path / f"attempt-{next(attempts)}"
                directory.mkdir()
                path = write(*export, directory)
                workspace = f"fuzz:{directory.name}"
                refusal = ""
                try:
                    runner.run(import_slack_export(services, path, workspace=workspace))
                except ExportError as error:
                    refusal = str(error)
                assert "\n" not in refusal
                after = runner.run(_rows(services))
                assert not before - after, "rows stored before the import changed"

            attempt()
        finally:
            runner.run(services.stop())


async def _rows(services: Services) -> Counter[str]:
    tables = await services.database.read(dump_tables)
    return Counter(
        f"{name}:{sorted(row.items())}" for name, found in tables.items() for row in found
    )
