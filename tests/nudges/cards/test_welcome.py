"""The welcome line reaches whoever joins after a suggestion — by the Join button or by any
other path — once, in their language, and never after `stop`."""

from __future__ import annotations

from datetime import timedelta

from bot.services import Services
from nudges.jobs import deliver
from nudges.planner.job import plan
from tests.support.clock import FakeClock
from tests.support.events import join
from tests.support.gateways import FakeGateway
from tests.support.suggestions import (
    TUESDAY,
    asker,
    load_workspace,
    outbox_rows,
    suggestion_router,
)

LINE = 'community #cooking welcome="Say hi in the Friday thread!"'


async def suggested_cooking(services: Services, user: str, locale: str | None = None) -> int:
    """`user` receives a suggestion of #cooking (its welcome line set); its suggestion id."""
    await load_workspace(services)
    clock = FakeClock(TUESDAY)
    services.clock = clock
    services.gateways = {"slack": FakeGateway()}
    router = suggestion_router(services)
    await router.handle(asker("U15"), LINE)
    for line in ("start", "never #running"):
        await router.handle(asker(user, locale), line)
    assert (await plan(services)).startswith("planned 1 suggestion(s)")
    assert "1 sent" in await deliver(services)
    [row] = await services.database.read(lambda s: outbox_rows(s, "suggestion"))
    clock.advance(hours=1)
    return int(row.payload["suggestion_id"])


def sent_texts(services: Services) -> list[str]:
    gateway = services.gateways["slack"]
    assert isinstance(gateway, FakeGateway)
    return [card.text() for _, card in gateway.sent]


async def test_joining_from_the_card_brings_the_welcome_line(services: Services) -> None:
    suggestion = await suggested_cooking(services, "U7")
    router = suggestion_router(services)
    await router.handle(asker("U7"), f"join C4 --suggestion {suggestion}")
    assert "1 sent" in await deliver(services)
    welcome = sent_texts(services)[-1]
    assert welcome.startswith("Welcome to #cooking\nFrom its animators: Say hi in the Friday")
    assert "Say “stop” to receive nothing more from Engage on its own." in welcome
    await router.handle(asker("U7"), f"join C4 --suggestion {suggestion}")
    assert (await deliver(services)).startswith("delivered: 0 sent")  # once only


async def test_a_join_by_any_path_brings_it_in_the_persons_language(services: Services) -> None:
    await suggested_cooking(services, "U8", "fr")
    await services.tracker.record([join("U8", "C4", "2026-03-31", hour=10)])
    await services.tracker.fold()
    assert "1 joined" in await plan(services)
    assert "1 sent" in await deliver(services)
    welcome = sent_texts(services)[-1]
    assert welcome.startswith("Bienvenue dans #cooking\nDe la part de ses animateurs : Say hi")
    assert "Dites « stop »" in welcome


async def test_no_welcome_after_stop(services: Services) -> None:
    suggestion = await suggested_cooking(services, "U7")
    router = suggestion_router(services)
    await router.handle(asker("U7"), f"join C4 --suggestion {suggestion}")
    await router.handle(asker("U7"), "stop")
    assert "1 cancelled" in await deliver(services)
    assert not any(text.startswith("Welcome") for text in sent_texts(services))


async def test_no_welcome_without_a_line_or_without_a_suggestion(services: Services) -> None:
    suggestion = await suggested_cooking(services, "U7")
    router = suggestion_router(services)
    await router.handle(asker("U15"), 'community #cooking welcome=""')
    await router.handle(asker("U7"), f"join C4 --suggestion {suggestion}")
    await router.handle(asker("U15"), LINE)
    await router.handle(asker("U9"), "join #garden")  # never suggested to U9
    services.clock = FakeClock(TUESDAY + timedelta(hours=2))
    assert (await deliver(services)).startswith("delivered: 0 sent")
    assert await services.database.read(lambda s: outbox_rows(s, "welcome")) == []
