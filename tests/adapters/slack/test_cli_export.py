"""`engage import slack-export` as a person runs it: progress, summary, one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from adapters.main import build_cli
from tests.support.processes import start_engage
from tests.support.slack_export import write_export, zip_export


async def engage(database_url: str, *args: str, cwd: Path) -> tuple[int, str, str]:
    process = await start_engage(*args, env={"ENGAGE_DATABASE_URL": database_url}, cwd=str(cwd))
    out, err = await process.process.communicate()
    assert process.process.returncode is not None
    return process.process.returncode, out.decode(), err.decode()


def figure(output: str, label: str) -> int:
    match = re.search(rf"{re.escape(label)}\s*│\s*(\d+)", output)
    assert match, f"no '{label}' row in:\n{output}"
    return int(match.group(1))


async def test_import_then_reimport_a_directory(database_url: str, tmp_path: Path) -> None:
    export = write_export(tmp_path / "houston")
    code, out, err = await engage(database_url, "import", "slack-export", str(export), cwd=tmp_path)
    assert code == 0, err
    assert "export:houston" in out
    assert re.search(r"day files.*3/3", err)
    assert [figure(out, label) for label in ("files imported", "events new", "people")] == [
        5,
        24,
        5,
    ]
    assert [figure(out, label) for label in ("bot messages ignored", "channels")] == [2, 2]
    assert "canary" not in out + err

    code, out, _ = await engage(database_url, "import", "slack-export", str(export), cwd=tmp_path)
    assert code == 0
    assert [figure(out, label) for label in ("files imported", "already imported)")] == [0, 5]
    assert figure(out, "events new") == 0


async def test_malformed_day_file_is_one_error_line(database_url: str, tmp_path: Path) -> None:
    export = write_export(tmp_path / "houston")
    (export / "datajam" / "2016-07-02.json").write_text('[{"user": "U061A1R2R"}]')
    code, out, err = await engage(database_url, "import", "slack-export", str(export), cwd=tmp_path)
    assert code == 1
    assert out == ""
    assert err.splitlines()[-1] == (
        "engage: error: datajam/2016-07-02.json is malformed: item 0.ts: Field required"
    )


async def test_missing_channels_json_is_one_error_line(database_url: str, tmp_path: Path) -> None:
    export = write_export(tmp_path / "houston")
    (export / "channels.json").unlink()
    code, out, err = await engage(database_url, "import", "slack-export", str(export), cwd=tmp_path)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"engage: error: {export}: channels.json is missing; nothing was imported"
    ]


def test_zip_with_a_workspace_id_through_the_typer_runner(
    database_url: str, tmp_path: Path
) -> None:
    archive = zip_export(write_export(tmp_path / "export"), tmp_path / "houston.zip")
    app = build_cli()  # as `engage` does before running a command
    result = CliRunner().invoke(
        app,
        ["import", "slack-export", str(archive), "--workspace", "T061A2UFL"],
        env={"ENGAGE_DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    assert "workspace T061A2UFL" in result.output
    assert figure(result.output, "events new") == 24
    assert "canary" not in result.output
