"""The weekly follow digest: counts, rhythm and thread links — never text — once a week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.events import ReactionAdded
from bot.services import Services
from nudges.digest import digest
from nudges.outbox import card_from_data
from tests.support.clock import FakeClock
from tests.support.events import WORKSPACE, at
from tests.support.gateways import FakeGateway
from tests.support.suggestions import (
    TUESDAY,
    asker,
    load_workspace,
    outbox_rows,
    person_id,
    suggestion_router,
)

HOT = "C4:1774353600.000100"
WARM = "C4:1774440000.000200"


def reaction(person: str, thread: str, day: str) -> ReactionAdded:
    return ReactionAdded(
        platform="slack",
        workspace=WORKSPACE,
        key=f"reaction:{person}:{thread}:{day}",
        occurred_at=at(day),
        person=person,
        community="C4",
        receiver="U1",
        thread_key=thread,
    )


@dataclass
class LinkingGateway(FakeGateway):
    async def thread_link(self, workspace: str, community: str, thread_key: str) -> str:
        return f"https://example.invalid/{workspace}/{community}/{thread_key.split(':')[1]}"


async def following_cooking(services: Services) -> FakeClock:
    await load_workspace(services)
    await services.tracker.record(
        [reaction(f"U{i}", HOT, "2026-03-25") for i in (2, 3, 4)]
        + [reaction("U5", WARM, "2026-03-26"), reaction("U6", WARM, "2026-03-17")]
    )
    await services.tracker.fold()
    clock = FakeClock(TUESDAY)
    services.clock = clock
    await suggestion_router(services).handle(asker("U7"), "follow #cooking")
    return clock


async def test_digest_has_counts_rhythm_and_thread_links(services: Services) -> None:
    services.gateways = {"slack": LinkingGateway()}
    await following_cooking(services)
    assert await digest(services) == "queued 1 digest(s)"
    [row] = await services.database.read(outbox_rows)
    u7 = await services.database.read(lambda s: person_id(s, "U7"))
    assert row.kind == "digest"
    assert row.dedup_key == f"digest:{u7}:2026-W14"
    assert set(row.payload) == {
        "kind",
        "person_id",
        "platform",
        "workspace",
        "person",
        "community_ids",
        "threads",
        "card",
    }
    assert row.payload["threads"] == [
        {"community": "C4", "thread": HOT, "reactions": 3},
        {"community": "C4", "thread": WARM, "reactions": 1},
    ]
    text = card_from_data(row.payload["card"]).text()
    assert (
        "#cooking: steady rhythm · 3 posts last week · fewer than 5 contributors in 28 days" in text
    )
    assert f"https://example.invalid/{WORKSPACE}/C4/1774353600.000100 (3 reactions)" in text
    assert "Engage never reads message text" in text


async def test_once_a_week_inside_the_window(services: Services) -> None:
    clock = await following_cooking(services)
    clock.advance(hours=-2)  # 08:30 in Paris
    assert await digest(services) == "queued 0 digest(s)"
    clock.advance(hours=2)
    assert await digest(services) == "queued 1 digest(s)"
    clock.advance(hours=1)
    assert await digest(services) == "queued 0 digest(s)"
    clock.advance(days=1)
    assert await digest(services) == "queued 0 digest(s)"
    clock.advance(days=6)
    assert await digest(services) == "queued 1 digest(s)"
    text = card_from_data((await services.database.read(outbox_rows))[-1].payload["card"]).text()
    assert "#cooking" in text


async def test_no_digest_after_unfollowing(services: Services) -> None:
    await following_cooking(services)
    await suggestion_router(services).handle(asker("U7"), "unfollow #cooking")
    assert await digest(services) == "queued 0 digest(s)"


async def test_digest_in_french_without_links_when_no_gateway(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY + timedelta(hours=1))
    await suggestion_router(services).handle(asker("U8", locale="fr"), "follow #running")
    await digest(services)
    [row] = await services.database.read(outbox_rows)
    text = card_from_data(row.payload["card"]).text()
    assert text.startswith("Votre résumé hebdomadaire")
    assert "#running: rythme régulier · 2 messages la semaine dernière" in text
    assert "https://" not in text


async def test_the_animators_pitch_is_in_the_digest(services: Services) -> None:
    await following_cooking(services)
    router = suggestion_router(services)
    await router.handle(asker("U15"), 'community #cooking pitch="Fridays, we cook together"')
    await router.handle(asker("U8", locale="fr"), "follow #cooking")
    assert await digest(services) == "queued 2 digest(s)"
    english, french = [
        card_from_data(row.payload["card"]).text()
        for row in await services.database.read(outbox_rows)
    ]
    assert "In its animators' words: Fridays, we cook together" in english
    assert "Selon ses animateurs : Fridays, we cook together" in french
