"""Teams ingest rate: Engage's `/api/messages` vs a bare botbuilder CloudAdapter.

Each server runs in its own process on a scratch SQLite database; the client posts
channel messages (unique ids) from N concurrent connections and reports throughput and
latency percentiles. Run: `python -m bench.teams_ingest [--messages 2000] [--clients 16]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any

import aiohttp
from aiohttp import web

from bench.harness import scratch_sqlite

TENANT = "6e5ac0e3-1f4c-4b8e-9d2a-3c7f0b5d9a11"
CHANNEL = "19:8f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f@thread.tacv2"


def channel_message(index: int) -> dict[str, Any]:
    message = str(1774603201512 + index)
    return {
        "type": "message",
        "id": message,
        "timestamp": "2026-03-27T09:20:01.512Z",
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "from": {"id": f"29:user{index % 50}", "aadObjectId": f"aad-{index % 50}"},
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{CHANNEL};messageid={message}",
        },
        "recipient": {"id": "28:bench-bot", "name": "Engage"},
        "text": "metadata only",
        "channelData": {
            "channel": {"id": CHANNEL},
            "team": {"id": "19:team"},
            "tenant": {"id": TENANT},
        },
        "locale": "en-GB",
    }


async def serve(mode: str, database_url: str) -> None:
    app = web.Application()
    if mode == "engage":
        from adapters.teams.app import mount_teams
        from bot.services import Services
        from bot.settings import load_settings

        mount_teams(app, Services.build(load_settings(env_file=None, database_url=database_url)))
    else:
        from botbuilder.core import ActivityHandler
        from botbuilder.integration.aiohttp import (
            CloudAdapter,
            ConfigurationBotFrameworkAuthentication,
        )

        class Config:
            APP_ID = ""
            APP_PASSWORD = ""

        adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
        bot = ActivityHandler()

        async def messages(request: web.Request) -> web.StreamResponse:
            response = await adapter.process(request, bot)
            return response or web.Response(status=201)

        app.router.add_post("/api/messages", messages)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"listening {runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()


async def drive(port: int, messages: int, clients: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(messages):
        queue.put_nowait(index)

    async def client(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            index = queue.get_nowait()
            started = time.perf_counter()
            async with session.post(
                f"http://127.0.0.1:{port}/api/messages", json=channel_message(index)
            ) as response:
                assert response.status in (200, 201), response.status
            latencies.append(time.perf_counter() - started)

    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        return time.perf_counter() - started, latencies


async def measure(mode: str, messages: int, clients: int) -> str:
    with scratch_sqlite() as database_url:
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.teams_ingest",
            "--serve",
            mode,
            "--db",
            database_url,
            stdout=asyncio.subprocess.PIPE,
        )
        assert server.stdout is not None
        port = int((await server.stdout.readline()).split()[1])
        try:
            await drive(port, min(200, messages), clients)
            elapsed, latencies = await drive(port, messages, clients)
        finally:
            server.terminate()
            await server.wait()
    quantiles = statistics.quantiles(latencies, n=100)
    return (
        f"{mode:>6}: {messages / elapsed:7.0f} activities/s, "
        f"p50 {quantiles[49] * 1000:6.1f} ms, p99 {quantiles[98] * 1000:6.1f} ms "
        f"({messages} channel messages, {clients} clients)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--serve", choices=["engage", "bare"])
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.db))
        return
    for mode in ("bare", "engage"):
        print(asyncio.run(measure(mode, args.messages, args.clients)), flush=True)


if __name__ == "__main__":
    main()
