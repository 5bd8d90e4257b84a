"""The form's round trip: prefill for new and edited campaigns, outcomes placed by field."""

from __future__ import annotations

import pytest

from bot.campaigns.form import FormOutcome, start_form, submit_form
from bot.commands import Asker, Context
from bot.commands.core import core_router
from bot.services import Services
from tests.support.campaigns import Ids, counts, operator_campaign, ready_workspace
from tests.support.events import WORKSPACE

VALUES = {
    "community": "C2", "name": "spring", "pitch_en": "Old threads, new friends",
    "audience": "members", "audience_communities": ["C1"], "ends": "2026-04-30",
}  # fmt: skip


@pytest.fixture
async def ids(services: Services) -> Ids:
    return await ready_workspace(services)


async def context_of(services: Services, person: str) -> Context:
    return await core_router(services).context(Asker("slack", WORKSPACE, person))


async def test_a_new_form_names_its_community_and_offers_public_ones(
    services: Services, ids: Ids
) -> None:
    start = await start_form(await context_of(services, "U15"), "C2")
    assert (start.values, start.campaign_id) == ({"community": "C2"}, None)
    assert ("C2", "#archive-club") in start.communities


async def test_an_edit_form_is_prefilled_from_the_campaign(services: Services, ids: Ids) -> None:
    campaign = await operator_campaign(services, ids.workspace, **VALUES)
    start = await start_form(await context_of(services, "U15"), f"edit:{campaign}")
    assert start.campaign_id == campaign
    assert (start.values["name"], start.values["audience_communities"]) == ("spring", ["C1"])


async def test_outcomes_are_placed_under_fields(services: Services, ids: Ids) -> None:
    context = await context_of(services, "U15")
    invalid = await submit_form(context, VALUES | {"boost": "9"}, None)
    assert invalid.by_field() == {"boost": "use a number from 1.0 to 5.0."}
    saved = await submit_form(context, VALUES, None)
    assert saved.saved is not None
    assert saved.by_field() == {}
    refused = await submit_form(await context_of(services, "U1"), VALUES | {"name": "b"}, None)
    assert refused.by_field()["community"].startswith("Only animators of #archive-club")
    assert await counts(services) == (1, 1)
    ended = FormOutcome(errors={"state": "ended.", "name": "taken."}, refusal=None)
    assert ended.by_field() == {"community": "ended.", "name": "taken."}
