"""`engage console`: read lines from stdin (no terminal needed) and answer them."""

from __future__ import annotations

import asyncio
import sys

from adapters.console.gateway import PLATFORM, ConsoleGateway
from adapters.console.shell import Shell
from adapters.console.ticks import ConsoleClock
from adapters.console.workspace import start_moment, the_workspace
from bot.i18n import Translator
from bot.services import Services
from nudges.actions import full_router


def say(text: str) -> None:
    print(text, flush=True)


async def run_console(services: Services, workspace_id: str | None) -> None:
    try:
        workspace = await services.database.read(lambda s: the_workspace(s, workspace_id))
        assert workspace.id is not None
        workspace_key = workspace.id
        clock = ConsoleClock(await services.database.read(lambda s: start_moment(s, workspace_key)))
        services.clock = clock
        t = Translator(services.settings.operator_language)
        gateway = ConsoleGateway(platform=workspace.platform, clock=clock, t=t)
        shell = Shell(services, full_router(services), workspace, gateway, clock, say)
        gateway.show = shell.show
        gateway.on_invite = shell.invited
        services.gateways[PLATFORM] = gateway
        services.gateways[workspace.platform] = gateway
        say(t("console.welcome", workspace=workspace.external_id))
        prompt = sys.stdin.isatty()
        while True:
            if prompt:
                print("> ", end="", flush=True)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line or not await shell.handle(line):
                break
    finally:
        await services.stop()
