"""Campaigns past their end date are ended by the scheduler, with an audit row."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.campaigns.store import end_expired
from bot.services import Services
from bot.storage.models import Campaign
from tests.support.campaigns import NOW, audit_rows, operator_campaign, ready_workspace

CLUB = {"community": "archive-club", "pitch_en": "Hi", "audience": "department",
        "department": "Sales", "starts": "2026-03-01"}  # fmt: skip


async def test_expired_campaigns_end(services: Services) -> None:
    ids = await ready_workspace(services)
    await operator_campaign(
        services, ids.workspace, "active", name="short", ends="2026-03-30", **CLUB
    )
    await operator_campaign(
        services, ids.workspace, "paused", name="long", ends="2026-06-30", **CLUB
    )
    assert await services.database.write(lambda s: end_expired(s, NOW + timedelta(days=1))) == 0
    assert await services.database.write(lambda s: end_expired(s, NOW + timedelta(days=2))) == 1
    states = await services.database.read(
        lambda s: {c.name: c.state for c in s.exec(select(Campaign))}
    )
    assert states == {"short": "ended", "long": "paused"}
    last = (await audit_rows(services))[-1]
    assert (last.action, last.source, last.actor_id) == ("campaign.end", "scheduler", None)
