"""The router with every chat command: the core ones plus the suggestion engine's."""

from __future__ import annotations

from bot.commands import Router
from bot.commands.core import core_router
from bot.services import Services
from nudges.actions import register_suggestion_commands


def full_router(services: Services) -> Router:
    """What both adapters answer with: core, animators, campaigns, privacy and suggestions."""
    router = core_router(services)
    register_suggestion_commands(router)
    return router
