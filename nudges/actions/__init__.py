"""The suggestion engine's chat commands, typed or clicked: every button of a card is a
command line. `full_router` is what both adapters answer with."""

from __future__ import annotations

from bot.commands import Command, Router
from bot.commands.core import core_router
from bot.services import Services
from nudges.actions.follow import (
    follow_command,
    following_command,
    join_command,
    never_command,
    notnow_command,
    suggest_command,
    unfollow_command,
    unhide_command,
)
from nudges.actions.next_step import explore_command, next_step_command
from nudges.actions.people import showcase_command


def register_suggestion_commands(router: Router) -> None:
    """Add `suggest`, `follow`, `unfollow`, `following`, `join`, `notnow`, `never`, `unhide`."""
    for command in (
        Command("suggest", suggest_command),
        Command("follow", follow_command),
        Command("unfollow", unfollow_command),
        Command("following", following_command),
        Command("join", join_command),
        Command("notnow", notnow_command),
        Command("never", never_command),
        Command("unhide", unhide_command),
        Command("showcase", showcase_command),
        Command("explore", explore_command, listed=False),
        Command("nextstep", next_step_command, listed=False),
    ):
        router.add(command)


def full_router(services: Services) -> Router:
    """What both adapters answer with: core, animators, campaigns, privacy and suggestions."""
    router = core_router(services)
    register_suggestion_commands(router)
    return router
