"""Chat commands, shared by every adapter: parse, answer with a neutral card."""

from __future__ import annotations

from bot.cards import Card
from bot.commands.context import Asker, CommandError, Context
from bot.commands.me import me_command
from bot.commands.preferences import (
    COMMAND_ACTION,
    pause_command,
    resume_command,
    settings_command,
    start_command,
    stop_command,
)
from bot.commands.router import Command, Router
from bot.commands.stats import stats_command
from bot.commands.top import top_command
from bot.services import Services


def core_router(services: Services) -> Router:
    """The router with the core commands; later layers add theirs with `Router.add`."""
    # Imported here: animators and campaigns build on this package's own modules.
    from bot.animators.commands import animators_command, community_command
    from bot.campaigns.commands import campaign_command
    from bot.privacy.commands import cancel_command, export_command, forget_command

    router = Router(services)

    async def help_command(context: Context, _args: list[str]) -> Card:
        return router.help(context)

    router.add(Command("help", help_command))
    for name, handler in (
        ("stats", stats_command),
        ("me", me_command),
        ("top", top_command),
        ("start", start_command),
        ("stop", stop_command),
        ("pause", pause_command),
        ("resume", resume_command),
        ("settings", settings_command),
        ("animators", animators_command),
        ("community", community_command),
        ("campaign", campaign_command),
        ("export", export_command),
        ("forget", forget_command),
    ):
        router.add(Command(name, handler))
    router.add(Command("forget-cancel", cancel_command, listed=False))
    return router


__all__ = ["COMMAND_ACTION", "Asker", "Command", "CommandError", "Context", "Router", "core_router"]
