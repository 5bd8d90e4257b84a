"""The baseline for bench.slack_ingest: a bare Bolt AsyncApp with a no-op listener on aiohttp.

Run as `python -m bench.bare_bolt` with SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and
ENGAGE_SLACK_API_URL set; prints `Bare Bolt listening on http://HOST:PORT` on stderr.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def bare_app() -> web.Application:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["ENGAGE_SLACK_API_URL"]
    )
    bolt = AsyncApp(name="bare", signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client)

    async def nothing() -> None:
        return None

    bolt.event(re.compile(".*"))(nothing)

    async def dispatch(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", dispatch)
    return app


async def main() -> None:
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    runner = web.AppRunner(bare_app(), handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    print(f"Bare Bolt listening on http://{host}:{port}", file=sys.stderr, flush=True)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
