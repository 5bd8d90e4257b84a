"""The example of the week — in the digest, the health card and the report — and the only
names Engage shows: animators who chose to be followable."""

from __future__ import annotations

from sqlmodel import Session

from bot.cards import Actions, Card
from bot.commands import Router
from bot.events import Event, MessagePosted, ReactionAdded
from bot.report.page import build_report
from bot.services import Services
from bot.storage.models import Showcase
from nudges.actions.people import ask_animators
from nudges.digest import digest
from nudges.outbox import card_from_data
from nudges.planner.job import plan
from tests.nudges.digest.test_job import LinkingGateway
from tests.support.clock import FakeClock
from tests.support.events import WORKSPACE, at
from tests.support.suggestions import (
    TUESDAY,
    asker,
    load_workspace,
    outbox_rows,
    person_id,
    suggestion_router,
)

ROOT = "1774353600.000100"
THREAD = f"C4:{ROOT}"


def buttons(card: Card) -> list[str]:
    return [b.value for block in card.blocks if isinstance(block, Actions) for b in block.buttons]


def busy_thread() -> list[Event]:
    """U1's thread in #cooking last week: three replies and two reactions, five people."""
    shared = {"platform": "slack", "workspace": WORKSPACE, "community": "C4", "thread_key": THREAD}
    replies: list[Event] = [
        MessagePosted(
            **shared,
            key=f"C4:{ROOT}:{n}",
            occurred_at=at("2026-03-25"),
            person=f"U{n}",
            is_reply=True,
        )
        for n in (2, 3, 4)
    ]
    reactions: list[Event] = [
        ReactionAdded(
            **shared,
            key=f"reaction:U{n}:{THREAD}",
            occurred_at=at("2026-03-26"),
            person=f"U{n}",
            receiver="U1",
        )
        for n in (5, 6)
    ]
    return replies + reactions


async def workspace_with_example(services: Services) -> Router:
    await load_workspace(services)
    await services.tracker.record(busy_thread())
    await services.tracker.fold()
    services.clock = FakeClock(TUESDAY)
    services.gateways = {"slack": LinkingGateway()}
    router = suggestion_router(services)
    await router.handle(asker("U15"), "animators add @U1 #cooking")
    await router.handle(asker("U15"), "animators add @U9 #running")
    return router


async def test_the_digest_shows_the_example_of_the_week(services: Services) -> None:
    router = await workspace_with_example(services)
    await router.handle(asker("U7"), "follow #cooking")
    await digest(services)
    [row] = await services.database.read(lambda s: outbox_rows(s, "digest"))
    card = card_from_data(row.payload["card"])
    text = card.text()
    link = f"https://example.invalid/{WORKSPACE}/C4/{ROOT}"
    assert (
        f"#cooking, example of the week: {link} (3 replies, 2 reactions) · "
        "new regulars: fewer than 5" in text
    )
    assert "Person U1" not in text  # not followable: never named
    assert "explore C4" in buttons(card)


async def test_an_animator_who_opted_in_is_named_with_a_follow_button(services: Services) -> None:
    router = await workspace_with_example(services)
    await router.handle(asker("U1"), "showcase on")
    await router.handle(asker("U7", locale="fr"), "follow #cooking")
    await digest(services)
    [row] = await services.database.read(lambda s: outbox_rows(s, "digest"))
    card = card_from_data(row.payload["card"])
    assert "Animée par Person U1, que vous pouvez suivre." in card.text()
    assert "#cooking, exemple de la semaine" in card.text()
    follow = next(value for value in buttons(card) if value.startswith("follow "))
    answer = await router.handle(asker("U7"), follow)
    assert answer.text().startswith("Vous suivez désormais Person U1")


async def test_the_health_card_and_the_report_show_the_same_example(services: Services) -> None:
    router = await workspace_with_example(services)
    await router.handle(asker("U1"), "showcase on")
    card = (await router.handle(asker("U7"), "stats #cooking")).text()
    link = f"https://example.invalid/{WORKSPACE}/C4/{ROOT}"
    assert f"#cooking, example of the week: {link} (3 replies, 2 reactions)" in card
    assert "Animated by Person U1, whom you can follow." in card
    page = await services.database.read(
        lambda session: build_report(session, services.settings, 1, "cooking", TUESDAY.date(), "en")
    )
    assert "#cooking, example of the week" in page
    assert "a thread with 3 replies and 2 reactions" in page
    assert "Animated by Person U1, whom you can follow." in page
    french = await services.database.read(
        lambda session: build_report(session, services.settings, 1, "cooking", TUESDAY.date(), "fr")
    )
    assert "un fil avec 3 réponses et 2 réactions" in french


async def test_a_quiet_thread_is_no_example(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    router = suggestion_router(services)
    card = (await router.handle(asker("U7"), "stats #cooking")).text()
    assert card.startswith("#cooking")
    assert "example of the week" not in card


async def test_suggestion_cards_name_only_followable_animators(services: Services) -> None:
    router = await workspace_with_example(services)
    await router.handle(asker("U8"), "start")
    await plan(services)
    [row] = await services.database.read(lambda s: outbox_rows(s, "suggestion"))
    card = card_from_data(row.payload["card"])
    assert "whom you can follow" not in card.text()
    assert not any(value.startswith("follow '<person") for value in buttons(card))
    await router.handle(asker("U1"), "showcase on")
    await router.handle(asker("U9"), "showcase on")
    suggested = await router.handle(asker("U10"), "suggest")
    assert "whom you can follow." in suggested.text()
    follow = [value for value in buttons(suggested) if value.startswith("follow '<person")]
    assert len(follow) == 1
    assert (await router.handle(asker("U10"), follow[0])).text().startswith("You now follow")


async def test_animators_are_asked_once_and_never_enrolled(services: Services) -> None:
    await workspace_with_example(services)
    assert await ask_animators(services) == 2
    assert await ask_animators(services) == 0
    rows = await services.database.read(lambda s: outbox_rows(s, "showcase_ask"))
    [card] = [card_from_data(row.payload["card"]) for row in rows][:1]
    assert card.text().startswith("Be an example to follow?")
    assert buttons(card) == ["showcase on", "showcase off"]

    def followable(session: Session) -> list[bool]:
        u1 = person_id(session, "U1")
        showcase = session.get_one(Showcase, u1)
        return [showcase.followable, showcase.asked_at is not None]

    assert await services.database.read(followable) == [False, True]
