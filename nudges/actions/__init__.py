"""The suggestion commands, typed or clicked: every button of a card is a command line."""

from __future__ import annotations

from bot.commands import Command, Router
from nudges.actions.dismiss import never_command, notnow_command, unhide_command
from nudges.actions.follow import follow_command, following_command, unfollow_command
from nudges.actions.join import join_command
from nudges.actions.next_step import explore_command, next_step_command
from nudges.actions.people import showcase_command
from nudges.actions.suggest import suggest_command


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


__all__ = ["register_suggestion_commands"]
