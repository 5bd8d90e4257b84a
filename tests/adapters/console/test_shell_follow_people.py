"""In `engage console`: opt in to be followed, follow someone, and see their week in the
digest a tick later; then, weeks on and after exploring, one "Join?" card."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from adapters.console.gateway import ConsoleGateway
from adapters.console.shell import ConsoleClock, Shell
from bot.services import Services
from bot.storage.models import Workspace
from nudges.actions import full_router
from tests.support.suggestions import load_workspace

MONDAY = datetime(2026, 3, 23, 9, tzinfo=UTC)


async def console(services: Services, lines: list[str]) -> list[str]:
    await load_workspace(services)
    workspace = await services.database.read(lambda session: session.exec(select(Workspace)).one())
    clock = ConsoleClock(MONDAY)
    services.clock = clock
    gateway = ConsoleGateway(platform=workspace.platform, clock=clock)
    said: list[str] = []
    shell = Shell(services, full_router(services), workspace, gateway, clock, said.append)
    gateway.show = shell.show
    gateway.on_invite = shell.invited
    services.gateways[workspace.platform] = gateway
    for line in lines:
        said.append(f"> {line}")
        await shell.handle(line)
    return said


def after(said: list[str], line: str) -> str:
    """Everything printed after the last time `line` was typed."""
    at = len(said) - 1 - said[::-1].index(f"> {line}")
    return "\n".join(said[at + 1 :])


async def test_showcase_follow_and_the_digest_in_the_console(services: Services) -> None:
    said = await console(
        services,
        [
            "as U13",
            "/engage showcase on",
            "#running first post",
            "as U8",
            "/engage follow @U13",
            "/engage start",
            "/engage follow #running",
            "tick 2w",
        ],
    )
    assert "C'est fait : on peut désormais vous suivre." in after(said, "/engage showcase on")
    assert "(you posted in #running; no text kept)" in after(said, "#running first post")
    assert "You now follow Person U13" in after(said, "/engage follow @U13")
    weeks = after(said, "tick 2w")
    assert weeks.count("Your weekly digest") == 2
    assert "Person U13: no public post last week" in weeks  # the week before the post
    assert "Person U13: #running: 1 posts" in weeks
    assert "first post" not in weeks


async def test_join_is_offered_once_in_the_console(services: Services) -> None:
    said = await console(
        services,
        [
            "as U8",
            "/engage start",
            "/engage follow #running",
            "tick 4w",
            "/engage explore #running",
            "tick 1w",
        ],
    )
    week = after(said, "tick 1w")
    assert week.count("Join #running?") == 1, week
    assert "Keep following" in week
    assert "Not interested" in week
