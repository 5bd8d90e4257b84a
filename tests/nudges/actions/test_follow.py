"""Clicking Follow on a suggestion, and managing what one follows."""

from __future__ import annotations

from sqlmodel import Session

from bot.cards import Actions, Card
from bot.services import Services
from bot.storage.models import Membership
from nudges.planner.job import plan
from tests.support.clock import FakeClock
from tests.support.suggestions import (
    TUESDAY,
    asker,
    community_id,
    load_workspace,
    outbox_rows,
    person_id,
    suggestion_router,
    suggestions,
)


def buttons(card: Card) -> list[str]:
    return [b.value for block in card.blocks if isinstance(block, Actions) for b in block.buttons]


async def clicked(services: Services, label: str) -> tuple[str, Card]:
    """Plan a suggestion for U7 and click one of its buttons; (channel, answer)."""
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    router = suggestion_router(services)
    await router.handle(asker("U7"), "start")
    await plan(services)
    [row] = await services.database.read(outbox_rows)
    values = [
        b["value"] for block in row.payload["card"]["blocks"] for b in block.get("buttons", [])
    ]
    value = next(v for v in values if v.startswith(label))
    return value.split()[1], await router.handle(asker("U7"), value)


def membership(session: Session, user: str, channel: str) -> Membership | None:
    return session.get(Membership, (person_id(session, user), community_id(session, channel)))


async def test_follow_click_makes_a_follower_and_says_how_to_undo(services: Services) -> None:
    channel, answer = await clicked(services, "follow")
    name = "cooking" if channel == "C4" else "running"
    assert answer.text().startswith(f"You now follow #{name}: a weekly digest")
    assert buttons(answer) == [f"unfollow {channel}", f"join {channel}"]
    follower = await services.database.read(lambda s: membership(s, "U7", channel))
    [suggestion] = await services.database.read(suggestions)
    assert follower is not None
    assert follower.state == "follower"
    assert follower.source == f"suggestion:{suggestion.id}"
    assert suggestion.state == "followed"
    assert suggestion.followed_at == suggestion.answered_at == TUESDAY


async def test_unfollow_and_following(services: Services) -> None:
    channel, _ = await clicked(services, "follow")
    router = suggestion_router(services)
    listed = await router.handle(asker("U7"), "following")
    assert "Communities you follow" in listed.text()
    assert buttons(listed) == [f"unfollow {channel}"]
    undone = await router.handle(asker("U7"), f"unfollow {channel}")
    assert "You no longer follow" in undone.text()
    assert buttons(undone) == [f"follow {channel}"]
    assert await services.database.read(lambda s: membership(s, "U7", channel)) is None
    assert (
        "You don't follow any community yet"
        in (await router.handle(asker("U7"), "following")).text()
    )
    assert "You don't follow #" in (await router.handle(asker("U7"), f"unfollow {channel}")).text()


async def test_follow_typed_by_name_and_in_french(services: Services) -> None:
    await load_workspace(services)
    router = suggestion_router(services)
    answer = await router.handle(asker("U8", locale="fr-FR"), "follow #running")
    assert answer.text().startswith("Vous suivez maintenant #running")
    again = await router.handle(asker("U8", locale="fr-FR"), "follow running")
    assert again.text().startswith("Vous suivez déjà #running")
    member = await router.handle(asker("U1"), "follow #garden")
    assert member.text() == "You are already a member of #garden."


async def test_private_communities_cannot_be_followed_by_outsiders(services: Services) -> None:
    await load_workspace(services)
    router = suggestion_router(services)
    answer = await router.handle(asker("U7"), "follow #board")
    assert "I can't find the community “board”" in answer.text()
    assert await services.database.read(lambda s: membership(s, "U7", "C6")) is None
    assert "Which community?" in (await router.handle(asker("U7"), "follow")).text()
