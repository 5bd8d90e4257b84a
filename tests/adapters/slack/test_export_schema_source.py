"""Reading an export from a directory or a zip, and refusing what is neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.export_schema import DayFile, ExportError, open_export
from tests.support.slack_export import corrupt_member, write_export, zip_export

EXPECTED_DAYS = [
    DayFile("datajam", "2016-07-01", "datajam/2016-07-01.json"),
    DayFile("datasets", "2016-07-01", "datasets/2016-07-01.json"),
    DayFile("datajam", "2016-07-02", "datajam/2016-07-02.json"),
]


def test_directory_lists_day_files_in_date_order(tmp_path: Path) -> None:
    export = write_export(tmp_path / "houston")
    (export / "datajam" / "notes.txt").write_text("not a day file")
    with open_export(export) as source:
        assert source.name == "houston"
        assert source.day_files() == EXPECTED_DAYS
        assert source.read("users.json") == (export / "users.json").read_bytes()


@pytest.mark.parametrize("folder", ["", "Houston Slack export/"])
def test_zip_reads_the_same_files(tmp_path: Path, folder: str) -> None:
    export = write_export(tmp_path / "export")
    archive = zip_export(export, tmp_path / "houston.zip", folder=folder)
    with open_export(archive) as source:
        assert source.name == "houston"
        assert source.day_files() == EXPECTED_DAYS
        assert (
            source.read("datajam/2016-07-02.json")
            == (export / "datajam" / "2016-07-02.json").read_bytes()
        )


def test_missing_path_and_other_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"no such directory or \.zip file"):
        open_export(tmp_path / "absent")
    (tmp_path / "export.json").write_text("[]")
    with pytest.raises(ExportError, match=r"export\.json: neither a directory nor a \.zip file"):
        open_export(tmp_path / "export.json")


def test_zip_without_users_json_names_it(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export")
    (export / "users.json").unlink()
    with pytest.raises(ExportError, match=r"users.json is missing"):
        open_export(zip_export(export, tmp_path / "houston.zip"))


def test_a_damaged_member_is_an_export_error_naming_it(tmp_path: Path) -> None:
    archive = zip_export(write_export(tmp_path / "export"), tmp_path / "export.zip")
    corrupt_member(archive, "datajam/2016-07-02.json")
    with open_export(archive) as source:
        assert source.read("users.json")
        with pytest.raises(ExportError) as failure:
            source.read("datajam/2016-07-02.json")
    assert str(failure.value).startswith(f"{archive}: cannot read datajam/2016-07-02.json (")
    assert str(failure.value).endswith("): the export is damaged; export or unzip it again")
