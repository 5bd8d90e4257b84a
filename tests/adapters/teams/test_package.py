"""`engage teams-package`: a zip Teams accepts (manifest v1.11, icons at the right sizes)."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import jsonschema
import pytest

from adapters.main import main
from adapters.teams.package import COMMANDS, build_package, png
from bot.commands.core import core_router
from bot.errors import EngageError
from bot.services import Services
from tests.adapters.teams.activities import APP_ID
from tests.adapters.teams.manifest_schema import LOCALIZATION_V1_11, MANIFEST_V1_11


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_cli_writes_a_package_whose_manifest_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "engage-teams.zip"
    code = main(
        [
            "teams-package",
            "--app-id",
            APP_ID,
            "--url",
            "https://engage.example.org/",
            "--out",
            str(out),
        ]
    )
    with zipfile.ZipFile(out) as package:
        names = sorted(package.namelist())
        manifest = json.loads(package.read("manifest.json"))
        color, outline = package.read("color.png"), package.read("outline.png")
    assert code == 0
    assert "engage-teams.zip" in capsys.readouterr().out
    assert names == ["color.png", "fr.json", "manifest.json", "outline.png"]
    jsonschema.Draft7Validator(MANIFEST_V1_11).validate(manifest)
    assert manifest["$schema"].endswith(
        f"/v{manifest['manifestVersion']}/MicrosoftTeams.schema.json"
    )
    assert png_size(color) == (192, 192)
    assert png_size(outline) == (32, 32)


def test_the_manifest_asks_for_what_the_bot_needs(tmp_path: Path) -> None:
    out = build_package(APP_ID, "https://engage.example.org", tmp_path / "p.zip")
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
    [bot] = manifest["bots"]
    assert bot["botId"] == manifest["id"] == APP_ID
    assert bot["scopes"] == ["personal", "team"]
    assert [lst["scopes"] for lst in bot["commandLists"]] == [["personal"], ["team"]]
    assert [c["title"] for c in bot["commandLists"][0]["commands"]] == list(COMMANDS)
    assert manifest["webApplicationInfo"]["applicationPermissions"] == ["ChannelMessage.Read.Group"]
    assert manifest["validDomains"] == ["engage.example.org"]


def test_the_manifest_lists_the_core_commands(services: Services) -> None:
    listed = [name for name, command in core_router(services).commands.items() if command.listed]
    assert set(COMMANDS) <= set(listed)
    assert len(COMMANDS) <= 10


@pytest.mark.parametrize(
    ("app_id", "url", "complaint"),
    [
        ("not-a-guid", "https://engage.example.org", "--app-id"),
        (APP_ID, "http://engage.example.org", "--url"),
        (APP_ID, "engage.example.org", "--url"),
    ],
)
def test_bad_arguments_are_one_line_errors(
    tmp_path: Path, app_id: str, url: str, complaint: str
) -> None:
    with pytest.raises(EngageError, match=complaint):
        build_package(app_id, url, tmp_path / "p.zip")


def test_icons_are_valid_rgba_pngs() -> None:
    image = png(3, 2, lambda x, y: (x * 80, y * 120, 0, 255))
    assert png_size(image) == (3, 2)
    assert image[24:26] == bytes([8, 6])


def test_the_package_carries_a_french_localization_file(tmp_path: Path) -> None:
    out = build_package(APP_ID, "https://engage.example.org", tmp_path / "p.zip")
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
        info = manifest["localizationInfo"]
        [french] = info["additionalLanguages"]
        strings = json.loads(package.read(french["file"]).decode("utf-8"))
    jsonschema.Draft7Validator(MANIFEST_V1_11).validate(manifest)
    jsonschema.Draft7Validator(LOCALIZATION_V1_11).validate(strings)
    assert info["defaultLanguageTag"] == "en"
    assert french == {"languageTag": "fr", "file": "fr.json"}
    assert strings["$schema"].endswith(
        f"/v{manifest['manifestVersion']}/MicrosoftTeams.Localization.schema.json"
    )
    assert strings["description.short"] == "Trouvez des communautés à suivre, à votre rythme."
    [bot] = manifest["bots"]
    for index, listed in enumerate(bot["commandLists"]):
        for number, command in enumerate(listed["commands"]):
            key = f"bots[0].commandLists[{index}].commands[{number}]"
            assert strings[f"{key}.title"] != ""
            assert strings[f"{key}.description"] != ""
            if command["title"] == "stop":
                assert strings[f"{key}.title"] == "arrêter"
                assert strings[f"{key}.description"] == "arrêter toutes les suggestions"
    titles = {value for key, value in strings.items() if key.endswith(".title")}
    assert {"aide", "moi", "reprendre", "préférences"} <= titles


def test_the_french_command_titles_are_words_the_router_accepts(services: Services) -> None:
    router = core_router(services)
    with zipfile.ZipFile(build_package(APP_ID, "https://e.example.org", Path("p.zip"))) as package:
        strings = json.loads(package.read("fr.json"))
    titles = [value for key, value in strings.items() if key.endswith(".title")]
    named = [router.named(title) for title in titles]
    assert [command.name if command else None for command in named] == list(COMMANDS) * 2
