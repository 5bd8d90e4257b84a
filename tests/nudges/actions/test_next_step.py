"""The next step, gently: one "Join?" card after weeks of following and a digest click."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.cards import Actions, Card
from bot.commands import Router
from bot.metrics.funnel import follow_steps
from bot.services import Services
from bot.storage.models import FollowStep, Membership
from nudges.actions.next_step import ask_to_join
from nudges.jobs import deliver, plan_with_campaigns
from nudges.outbox import card_from_data
from nudges.planner.job import plan
from tests.support.clock import FakeClock
from tests.support.gateways import FakeGateway
from tests.support.suggestions import (
    TUESDAY,
    asker,
    community_id,
    load_workspace,
    outbox_rows,
    person_id,
    suggestion_router,
)


def buttons(card: Card) -> list[str]:
    return [b.value for block in card.blocks if isinstance(block, Actions) for b in block.buttons]


async def following(services: Services, user: str, channel: str) -> tuple[Router, FakeClock]:
    await load_workspace(services)
    clock = FakeClock(TUESDAY)
    services.clock = clock
    services.gateways = {"slack": FakeGateway()}
    router = suggestion_router(services)
    await router.handle(asker(user), "start")
    await router.handle(asker(user), f"follow {channel}")
    return router, clock


async def join_cards(services: Services) -> list[Card]:
    rows = await services.database.read(lambda s: outbox_rows(s, "join_nudge"))
    return [card_from_data(row.payload["card"]) for row in rows]


async def test_join_is_asked_once_after_the_weeks_and_a_digest_click(services: Services) -> None:
    router, clock = await following(services, "U7", "#cooking")
    assert await ask_to_join(services) == 0
    clock.advance(weeks=4)
    assert await ask_to_join(services) == 0  # never opened its digest
    explored = await router.handle(asker("U7"), "explore C4")
    assert explored.text().startswith("#cooking")
    assert await ask_to_join(services) == 1
    [card] = await join_cards(services)
    text = card.text()
    assert text.startswith("Join #cooking?")
    assert "You have followed #cooking for 4 weeks." in text
    join, keep, no = buttons(card)
    assert join.startswith("join C4 --suggestion ")
    assert (keep, no) == ("nextstep keep C4", "nextstep no C4")
    assert await ask_to_join(services) == 0
    clock.advance(weeks=1)
    assert await ask_to_join(services) == 0
    assert (
        await deliver(services) == "delivered: 1 sent, 0 to retry, 0 dead, 0 unknown, 0 cancelled"
    )
    answer = await router.handle(asker("U7"), join)
    assert answer.text().startswith("You joined #cooking.")

    def state(session: Session) -> tuple[str, bool]:
        u7, c4 = person_id(session, "U7"), community_id(session, "C4")
        step = session.get_one(FollowStep, (u7, c4))
        return session.get_one(Membership, (u7, c4)).state, step.joined_at is not None

    assert await services.database.read(state) == ("member", True)
    steps = await services.database.read(
        lambda s: follow_steps(s, 1, clock.now.date(), 1, community_id(s, "C4"))
    )
    assert (steps.followed, steps.asked, steps.joined) == (1, 1, 1)


async def test_never_asked_again_after_not_interested(services: Services) -> None:
    router, clock = await following(services, "U8", "#running")
    clock.advance(weeks=4)
    await router.handle(asker("U8"), "explore #running")
    assert await ask_to_join(services) == 1
    answer = await router.handle(asker("U8"), "nextstep no C5")
    assert answer.text().startswith("OK: I won't ask you to join #running again.")
    await router.handle(asker("U8"), "unfollow #running")
    await router.handle(asker("U8"), "follow #running")
    clock.advance(weeks=5)
    await router.handle(asker("U8"), "explore #running")
    assert await ask_to_join(services) == 0
    assert len(await join_cards(services)) == 1


async def test_keep_following_in_french(services: Services) -> None:
    router, clock = await following(services, "U8", "#running")
    await router.handle(asker("U8", locale="fr"), "settings")
    clock.advance(weeks=4)
    await router.handle(asker("U8"), "explore C5")
    assert await ask_to_join(services) == 1
    [card] = await join_cards(services)
    assert card.text().startswith("Rejoindre #running ?")
    assert "Vous suivez #running depuis 4 semaines." in card.text()
    answer = await router.handle(asker("U8"), "nextstep keep C5")
    assert answer.text().startswith("D'accord : vous continuez à suivre #running.")
    bad = await router.handle(asker("U8"), "nextstep perhaps C5")
    assert "nextstep keep" in bad.text()


async def test_the_join_card_waits_for_a_free_budget_slot(services: Services) -> None:
    router, clock = await following(services, "U7", "#cooking")
    clock.advance(weeks=4)
    await plan(services)
    suggestions = await services.database.read(lambda s: outbox_rows(s, "suggestion"))
    assert len(suggestions) == 1  # this week's one slot went to a suggestion
    await router.handle(asker("U7"), "explore C4")
    assert await ask_to_join(services) == 0
    assert await join_cards(services) == []
    clock.advance(weeks=1)
    summary = await plan_with_campaigns(services)
    assert summary.endswith("; 1 follower(s) asked to join")
    assert len(await join_cards(services)) == 1
    suggestions = await services.database.read(lambda s: outbox_rows(s, "suggestion"))
    assert len(suggestions) == 1  # the Join? card holds this week's slot


async def test_follow_to_join_on_the_health_card(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    router = suggestion_router(services)
    for user in ("U7", "U8", "U9", "U10", "U11"):
        await router.handle(asker(user), "follow #cooking")
    card = (await router.handle(asker("U1"), "stats #cooking")).text()
    assert "Follow → join: 5 followed → fewer than 5 asked “Join?” → fewer than 5 joined" in card
    french = (await router.handle(asker("U2", locale="fr"), "stats #cooking")).text()
    assert (
        "Suivre → rejoindre: 5 ont suivi → moins de 5 invités à rejoindre → moins de 5 ont rejoint"
        in french
    )

    def rows(session: Session) -> int:
        return len(list(session.exec(select(FollowStep))))

    assert await services.database.read(rows) == 5


async def test_a_join_card_is_not_sent_after_stop_or_a_join_meanwhile(services: Services) -> None:
    router, clock = await following(services, "U7", "#cooking")
    await router.handle(asker("U8"), "start")
    await router.handle(asker("U8"), "follow #running")
    clock.advance(weeks=4)
    await router.handle(asker("U7"), "explore C4")
    await router.handle(asker("U8"), "explore C5")
    assert await ask_to_join(services) == 2
    await router.handle(asker("U7"), "join #cooking")
    await router.handle(asker("U8"), "stop")
    summary = await deliver(services)
    assert summary == "delivered: 0 sent, 0 to retry, 0 dead, 0 unknown, 2 cancelled"
