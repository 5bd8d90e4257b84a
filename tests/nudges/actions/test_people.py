"""Following people who chose to be followable: showcase on/off, follow, the digest, counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from bot.commands import Router
from bot.events import MessagePosted
from bot.privacy.rights import export_person
from bot.services import Services
from bot.storage.models import PersonFollow
from nudges.digest import digest
from nudges.outbox import card_from_data
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


async def say(router: Router, user: str, text: str, locale: str | None = None) -> str:
    return (await router.handle(asker(user, locale), text)).text()


def follows(session: Session) -> int:
    return int(
        session.connection().execute(select(func.count()).select_from(PersonFollow)).one()[0]
    )


def posted(person: str, community: str, ts: str, day: str, *, thread: str = "") -> MessagePosted:
    return MessagePosted(
        platform="slack",
        workspace=WORKSPACE,
        key=f"{community}:{ts}",
        occurred_at=at(day),
        person=person,
        community=community,
        thread_key=f"{community}:{thread or ts}",
        is_reply=bool(thread),
    )


async def test_showcase_opt_in_follow_and_opt_out(services: Services) -> None:
    await load_workspace(services)
    router = suggestion_router(services)
    assert (await say(router, "U1", "showcase")).startswith("You are not followable")
    refused = await say(router, "U7", "follow @U1")
    assert refused == "Person U1 has not chosen to be followable, so nobody can follow them."
    assert await services.database.read(follows) == 0
    assert (await say(router, "U1", "showcase on")).startswith("Done: people can now follow you.")
    done = await router.handle(asker("U7"), "follow <person:U1>")
    assert done.text().startswith("You now follow Person U1: your weekly digest will show")
    assert "They are not told who follows them." in done.text()
    assert (await say(router, "U7", 'follow "@Person U1"')).startswith(
        "You already follow Person U1."
    )
    assert (await say(router, "U1", "follow @U1")).startswith("You cannot follow yourself.")
    status = await say(router, "U1", "showcase")
    assert "People who follow you: fewer than 5." in status
    assert "U7" not in status
    assert "People who follow you: fewer than 5" in await say(router, "U1", "me")
    for user in ("U8", "U9", "U10", "U11"):
        await say(router, user, "follow @U1")
    assert "People who follow you: 5." in await say(router, "U1", "showcase")
    assert "People who follow you: 5" in await say(router, "U1", "me")
    assert "People who follow you" not in await say(router, "U8", "me")
    assert "People you follow: Person U1" in await say(router, "U8", "following")
    french = await say(router, "U1", "showcase", locale="fr")
    assert "Personnes qui vous suivent : 5." in french
    [undo] = [b.value for block in done.blocks for b in getattr(block, "buttons", ())]
    assert await say(router, "U7", undo) == "You no longer follow Person U1."
    assert await services.database.read(follows) == 4
    off = await say(router, "U1", "showcase off", locale="en")
    assert off.startswith("Done: nobody can follow you")
    assert await services.database.read(follows) == 0
    assert (await say(router, "U7", "follow @U1")).endswith("so nobody can follow them.")


async def test_showcase_and_follow_in_french(services: Services) -> None:
    await load_workspace(services)
    router = suggestion_router(services)
    assert (await say(router, "U1", "showcase on", locale="fr")).startswith("C'est fait")
    answer = await say(router, "U7", "follow @U1", locale="fr")
    assert answer.startswith("Vous suivez désormais Person U1")
    refused = await say(router, "U7", "follow @U2", locale="fr")
    assert refused == (
        "Person U2 n'a pas choisi d'être suivable : personne ne peut suivre cette personne."
    )
    assert (await say(router, "U1", "showcase maybe", locale="fr")).startswith("Dites")


async def test_the_digest_lists_where_a_followed_person_contributed_publicly(
    services: Services,
) -> None:
    await load_workspace(services)
    await services.tracker.record(
        [
            posted("U13", "C5", "1774353600.000100", "2026-03-24"),
            posted("U13", "C5", "1774353700.000100", "2026-03-24", thread="1774353600.000100"),
            posted("U13", "C6", "1774353800.000100", "2026-03-25"),
            posted("U13", "C5", "1773748800.000100", "2026-03-17"),
        ]
    )
    await services.tracker.fold()
    services.gateways = {"slack": LinkingGateway()}
    services.clock = FakeClock(TUESDAY)
    router = suggestion_router(services)
    await say(router, "U13", "showcase on")
    await say(router, "U8", "follow @U13")
    await say(router, "U7", "follow @U14")  # not followable: nothing to digest
    assert await digest(services) == "queued 1 digest(s)"
    [row] = await services.database.read(outbox_rows)
    text = card_from_data(row.payload["card"]).text()
    assert "Person U13" in text
    assert "#running: 2 posts" in text
    assert f"https://example.invalid/{WORKSPACE}/C5/1774353600.000100" in text
    assert "board" not in text
    assert "C6" not in text
    assert "1773748800" not in text


async def test_nobody_is_told_who_follows_them(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    router = suggestion_router(services)
    await say(router, "U13", "showcase on")
    await say(router, "U8", "follow @U13")
    await digest(services)
    cards = [
        card_from_data(row.payload["card"]).text()
        for row in await services.database.read(outbox_rows)
    ]
    assert all("Person U8" not in card for card in cards)
    assert "Person U8" not in await say(router, "U13", "showcase")


async def test_the_export_of_a_followed_person_does_not_name_their_followers(
    services: Services,
) -> None:
    await load_workspace(services)
    router = suggestion_router(services)
    await say(router, "U13", "showcase on")
    await say(router, "U8", "follow @U13")

    def exports(session: Session) -> tuple[dict[str, Any], dict[str, Any]]:
        return (
            export_person(session, person_id(session, "U13")),
            export_person(session, person_id(session, "U8")),
        )

    followed, follower = await services.database.read(exports)
    assert "person_follow" not in followed
    assert followed["showcase"][0]["followable"] is True
    assert len(follower["person_follow"]) == 1
