"""Bad input names the problem, and nothing is saved: not the campaign, not an audit row."""

from __future__ import annotations

import pytest

from bot.commands import Asker
from bot.commands.core import core_router
from bot.services import Services
from tests.support.campaigns import Ids, counts, ready_workspace
from tests.support.events import WORKSPACE

GOOD = "name=spring en=Hello ends=2026-04-30"


@pytest.fixture
async def ids(services: Services) -> Ids:
    return await ready_workspace(services)


async def say(services: Services, person: str, text: str) -> str:
    card = await core_router(services).handle(Asker("slack", WORKSPACE, person), text)
    return card.text()


@pytest.mark.parametrize(
    ("person", "line", "expected"),
    [
        ("U1", f"campaign new #garden {GOOD}",
         "Only animators of #garden (or a workspace admin) can create or change its campaigns."),
        ("U15", "campaign new #garden name=spring en=Hello starts=2026-04-10 ends=2026-04-01",
         "• End date: the end date 2026-04-01 is before the start date 2026-04-10."),
        ("U15", f"campaign new #nowhere {GOOD}", "I can't find the community “nowhere”."),
        ("U15", f"campaign new #gardn {GOOD}", "Did you mean: #garden?"),
        ("U15", f"campaign new #garden {GOOD} audience=department department=Marketing",
         "• Department: there is no department “Marketing” (known: Engineering, Legal, Sales)."),
        ("U15", "campaign new #garden name=spring ends=2026-04-30",
         "• Pitch: write the pitch in English, in French or in both."),
        ("U15", "campaign new #garden name=spring en=\"  \" fr= ends=2026-04-30",
         "• Pitch: write the pitch in English, in French or in both."),
        ("U15", f"campaign new #garden {GOOD} audience=members communities=#tiny",
         "• Audience: this audience matches nobody who is not already in the community."),
        ("U15", f"campaign new #garden {GOOD} audience=active communities=#nowhere",
         "• Audience communities: I can't find the community “nowhere”."),
        ("U15", "campaign new #garden name=spring en=Hello",
         "• End date: this is required."),
        ("U15", f"campaign new #garden {GOOD} boost=9 max_sends=0",
         "• Most suggestions to send: “0” is not a whole number of at least 1."),
        ("U15", f"campaign new #garden {GOOD} audience=friends",
         "• Audience: choose one of: everyone, members, active, department."),
        ("U15", f"campaign new #garden {GOOD} ends=31/04/2026",
         "• End date: “31/04/2026” is not a date like 2026-05-31."),
        ("U15", f"campaign new #garden {GOOD} colour", "“colour” is not a setting"),
    ],
)  # fmt: skip
async def test_bad_input_is_named_and_nothing_is_saved(
    services: Services, ids: Ids, person: str, line: str, expected: str
) -> None:
    answer = await say(services, person, line)
    assert expected in answer
    assert await counts(services) == (0, 0)


async def test_every_problem_is_listed_at_once(services: Services, ids: Ids) -> None:
    answer = await say(services, "U15", "campaign new #garden starts=soon boost=x")
    assert answer.splitlines()[:5] == [
        "The campaign was not saved:",
        "• Name: this is required.",
        "• Pitch: write the pitch in English, in French or in both.",
        "• Start date: “soon” is not a date like 2026-05-31.",
        "• End date: this is required.",
    ]
    assert "• Priority boost: use a number from 1.0 to 5.0." in answer
    assert await counts(services) == (0, 0)


async def test_a_duplicate_name_and_an_ended_campaign_are_refused(
    services: Services, ids: Ids
) -> None:
    await say(
        services, "U15", f"campaign new #archive-club {GOOD} audience=department department=sales"
    )
    again = await say(services, "U15", f"campaign new #archive-club {GOOD}")
    assert "this community already has a campaign called “spring”." in again
    await say(services, "U15", "campaign end 1")
    edited = await say(services, "U15", "campaign edit 1 boost=3")
    assert "• State: an ended campaign cannot change any more." in edited
    assert await counts(services) == (1, 2)  # created, ended


async def test_private_communities_have_no_campaigns(services: Services, ids: Ids) -> None:
    from sqlmodel import Session

    from bot.storage.models import Community

    def hide(session: Session) -> None:
        garden = session.get(Community, ids.communities["C1"])
        assert garden is not None
        garden.is_private = True

    await services.database.write(hide)
    answer = await say(services, "U15", f"campaign new #garden {GOOD}")
    assert "#garden is private or archived: campaigns are for public communities." in answer
    assert await counts(services) == (0, 0)


async def test_french_problems(services: Services, ids: Ids) -> None:
    card = await core_router(services).handle(
        Asker("slack", WORKSPACE, "U15", locale="fr-FR"),
        "campaign new #garden name=x en=Bonjour starts=2026-04-10 ends=2026-04-01",
    )
    assert "• Date de fin : la date de fin 2026-04-01 précède la date de début 2026-04-10." in (
        card.text()
    )
