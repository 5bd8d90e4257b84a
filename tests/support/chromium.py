"""Open a page in a real headless Chromium (Debian's `chromium`) over the DevTools protocol:
what it logged as errors, which requests it made, a value computed in the page, a screenshot."""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

DEVTOOLS = re.compile(r"DevTools listening on (ws://\S+)")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",
)


def chromium_binary() -> str:
    found = shutil.which("chromium")
    assert found, "chromium is not installed: apt-get install -y chromium (see .ci/run)"
    return found


@dataclass
class PageVisit:
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    value: Any = None
    screenshot: bytes = b""


class DevTools:
    """A minimal DevTools client: commands by id, events kept in order."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            data = message.json()
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            else:
                await self.events.put(data)

    async def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        self.pending[number] = asyncio.get_running_loop().create_future()
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.socket.send_json(message)
        reply = await asyncio.wait_for(self.pending[number], 30)
        assert "error" not in reply, reply
        return dict(reply.get("result", {}))


@asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[DevTools]:
    process = await asyncio.create_subprocess_exec(
        chromium_binary(), *FLAGS, f"--user-data-dir={profile}", "about:blank",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        address = await asyncio.wait_for(_devtools_address(process), 60)
        async with aiohttp.ClientSession() as http, http.ws_connect(address, max_msg_size=0) as ws:
            tools = DevTools(ws)
            try:
                yield tools
            finally:
                await tools.send("Browser.close")
                tools.reader.cancel()
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def _devtools_address(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    while line := await process.stderr.readline():
        if match := DEVTOOLS.search(line.decode(errors="replace")):
            return match.group(1)
    raise AssertionError("chromium ended before it printed its DevTools address")


async def visit(url: str, profile: Path, expression: str) -> PageVisit:
    """Load `url`, wait for its load event, evaluate `expression`, take a screenshot."""
    visit = PageVisit()
    async with chromium(profile) as tools:
        target = (await tools.send("Target.createTarget", url="about:blank"))["targetId"]
        attached = await tools.send("Target.attachToTarget", targetId=target, flatten=True)
        session = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            await tools.send(f"{domain}.enable", session)
        await tools.send("Page.navigate", session, url=url)
        while True:
            event = await asyncio.wait_for(tools.events.get(), 30)
            _note(event, visit)
            if event.get("method") == "Page.loadEventFired":
                break
        result = await tools.send(
            "Runtime.evaluate", session, expression=expression, returnByValue=True
        )
        visit.value = result["result"].get("value")
        shot = await tools.send("Page.captureScreenshot", session, format="png",
                                captureBeyondViewport=True)  # fmt: skip
        visit.screenshot = base64.b64decode(shot["data"])
        while not tools.events.empty():
            _note(tools.events.get_nowait(), visit)
    return visit


def _note(event: dict[str, Any], visit: PageVisit) -> None:
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        visit.errors.append(str(params["exceptionDetails"].get("text")))
    elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        visit.errors.append(str(params.get("args")))
    elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
        visit.errors.append(str(params["entry"].get("text")))
    elif method == "Network.requestWillBeSent":
        visit.requests.append(str(params["request"].get("url")))
