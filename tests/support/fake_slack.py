"""A small fake of the Slack Web API (and Socket Mode) on 127.0.0.1, recording every call.

Answers like Slack for the methods Engage uses; `fail_next` and `rate_limit_next` queue
error answers (an `ok: false` error, or HTTP 429 with Retry-After) for one method; `hold`
keeps a method's calls waiting for their answers (a slow Slack) until `release`, and
`held_after` keeps them waiting after that many calls until `release_held`. The
roster methods (`users.list`, `conversations.list`, `conversations.info`,
`conversations.members`) page like Slack (`limit`, opaque `response_metadata.next_cursor`)
over `users`, `channels` and `members`; `tiers` makes it answer 429 with Retry-After to
calls beyond a method's calls per minute (minutes lasting `tier_minute` seconds).
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

TEAM = "T024BE7LD"
BOT_USER, BOT_ID, APP_ID = "U07ENGAGEBOT", "B07ENGAGE01", "A07ENGAGE01"
BOT_TOKEN = "xoxb-2478213-7081264813-Zq8f2c1bT0kEn"
OAUTH_BOT_TOKEN = "xoxb-globex-7081264813-Fq2m"
ROSTER_METHODS = ("users.list", "conversations.list", "conversations.info", "conversations.members")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def slack_user(user: str, *, locale: str = "en-US", tz: str = "Europe/London") -> dict[str, Any]:
    return {
        "id": user,
        "team_id": TEAM,
        "name": user.lower(),
        "deleted": False,
        "real_name": f"Person {user}",
        "tz": tz,
        "tz_offset": 0,
        "profile": {"display_name": f"Person {user}", "real_name": f"Person {user}"},
        "is_bot": False,
        "is_app_user": False,
        "updated": 1774000000,
        "locale": locale,
    }


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.hooks: list[tuple[str, dict[str, Any]]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.custom_fields: dict[str, dict[str, Any]] = {}
        """users.profile.get: each person's custom profile fields, by field id."""
        self.field_labels: list[dict[str, Any]] = []
        """team.profile.get: the workspace's custom fields ({id, label})."""
        self.socket_acks: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        self.oauth_team = {"id": "T07GLOBEX", "name": "Globex"}
        self._queued: defaultdict[str, deque[Answer]] = defaultdict(deque)
        self._held: dict[str, asyncio.Event] = {}
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._ts = count(1)
        self.channels: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[str]] = {}
        self.tiers: dict[str, int] = {}
        self.tier_minute = 60.0
        self.refused = 0
        """Calls answered 429 because of `tiers`."""
        self._recent: defaultdict[str, deque[float]] = defaultdict(deque)
        self.held_after: dict[str, int] = {}
        """Calls of a method beyond this count wait until `release` (a sync cut short)."""
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket)
        self._server = TestServer(app, host="127.0.0.1", port=0)

    async def __aenter__(self) -> FakeSlack:
        await self._server.start_server()
        return self

    async def __aexit__(self, *_: object) -> None:
        for socket in self._sockets:
            await socket.close()
        await self._server.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def hook_url(self, name: str) -> str:
        return f"{self.base}/hooks/{name}"

    def fail_next(self, method: str, error: str, status: int = 200) -> None:
        self._queued[method].append(Answer(status, {"ok": False, "error": error}))

    def rate_limit_next(self, method: str, retry_after: int, times: int = 1) -> None:
        answer = Answer(
            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        )
        self._queued[method].extend([answer] * times)

    def hold(self, method: str) -> None:
        """Answer no `method` call until `release` (each is recorded as it arrives)."""
        self._held[method] = asyncio.Event()

    def release(self, method: str) -> None:
        self._held.pop(method).set()

    def release_held(self) -> None:
        self.held_after.clear()
        self._released.set()

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        """Wait until `method` was called `count` times (hooks: method 'hook')."""

        def enough() -> bool:
            seen = len(self.hooks) if method == "hook" else len(self.calls_to(method))
            return seen >= count

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(enough), within)
        return self.calls_to(method)

    async def send_envelope(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Deliver a Socket Mode envelope and wait for the app's acknowledgement."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._sockets)), 10)
        await self._sockets[-1].send_str(json.dumps(envelope))
        wanted = envelope["envelope_id"]

        def acked() -> bool:
            return any(ack.get("envelope_id") == wanted for ack in self.socket_acks)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(acked), 10)
        return next(ack for ack in self.socket_acks if ack.get("envelope_id") == wanted)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(await request.post())
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        self.calls.append(Call(method, params, token))
        await self._notify()
        if (held := self._held.get(method)) is not None:
            await held.wait()
        if method in self.held_after and len(self.calls_to(method)) > self.held_after[method]:
            await self._released.wait()
        queued = self._queued[method]
        answer = queued.popleft() if queued else self._over_tier(method)
        answer = answer or Answer(200, self._answer(method, params, token))
        return web.json_response(answer.body, status=answer.status, headers=answer.headers)

    def add_channel(
        self,
        channel: str,
        name: str,
        members: list[str],
        *,
        private: bool = False,
        archived: bool = False,
        created: int = 1767225600,
        creator: str | None = None,
    ) -> None:
        self.channels[channel] = {
            "id": channel,
            "name": name,
            "is_channel": not private,
            "is_group": private,
            "is_private": private,
            "is_archived": archived,
            "created": created,
            "creator": creator or (members[0] if members else ""),
        }
        self.members[channel] = list(members)

    def _over_tier(self, method: str) -> Answer | None:
        limit = self.tiers.get(method)
        if limit is None:
            return None
        now, recent = time.monotonic(), self._recent[method]
        while recent and recent[0] <= now - self.tier_minute:
            recent.popleft()
        if len(recent) < limit:
            recent.append(now)
            return None
        wait = math.ceil((recent[0] + self.tier_minute - now) * 60 / self.tier_minute)
        headers = {"Retry-After": str(max(wait, 1))}
        self.refused += 1
        return Answer(429, {"ok": False, "error": "ratelimited"}, headers)

    def _page(self, items: list[Any], params: dict[str, Any], field: str) -> dict[str, Any]:
        limit = min(max(int(params.get("limit") or 100), 1), 1000)
        cursor = str(params.get("cursor") or "")
        start = int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0
        end = start + limit
        following = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
        return {
            "ok": True,
            field: items[start:end],
            "response_metadata": {"next_cursor": following},
        }

    def _channel(self, channel: dict[str, Any]) -> dict[str, Any]:
        members = self.members.get(channel["id"], [])
        return {**channel, "is_member": BOT_USER in members, "num_members": len(members)}

    def _roster(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "users.list":
            return self._page([self.users[user] for user in sorted(self.users)], params, "members")
        if method == "conversations.list":
            types = str(params.get("types") or "public_channel").split(",")
            archived = str(params.get("exclude_archived") or "false") != "true"
            listed = [
                self._channel(channel)
                for _, channel in sorted(self.channels.items())
                if ("private_channel" if channel["is_private"] else "public_channel") in types
                and (not channel["is_private"] or BOT_USER in self.members[channel["id"]])
                and (archived or not channel["is_archived"])
            ]
            return self._page(listed, params, "channels")
        channel = self.channels.get(str(params.get("channel")))
        if channel is None or (
            channel["is_private"] and BOT_USER not in self.members[channel["id"]]
        ):
            return {"ok": False, "error": "channel_not_found"}
        if method == "conversations.info":
            return {"ok": True, "channel": self._channel(channel)}
        return self._page(self.members[channel["id"]], params, "members")

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method in ROSTER_METHODS:
            return self._roster(method, params)
        ts = f"1774700000.{next(self._ts):06d}"
        if method == "auth.test":
            team = self.oauth_team["id"] if token and "globex" in token else TEAM
            return {"ok": True, "team_id": team, "user_id": BOT_USER, "bot_id": BOT_ID}
        if method == "users.info":
            user = params["user"]
            return {"ok": True, "user": self.users.get(user) or slack_user(user)}
        if method == "users.profile.get":
            return {"ok": True, "profile": {"fields": self.custom_fields.get(params["user"], {})}}
        if method == "team.profile.get":
            return {"ok": True, "profile": {"fields": self.field_labels}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + params["users"].lstrip("U")}}
        if method in ("chat.postMessage", "chat.update"):
            return {"ok": True, "channel": params["channel"], "ts": params.get("ts") or ts}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V07HOME", "type": "home"}}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V07MODAL", "type": "modal"}}
        if method == "chat.getPermalink":
            channel, ts = params["channel"], params["message_ts"]
            link = f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method == "conversations.invite":
            return {"ok": True, "channel": {"id": params["channel"]}}
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "app_id": APP_ID,
                "authed_user": {"id": "U07INSTALLER"},
                "scope": "chat:write,commands",
                "token_type": "bot",
                "access_token": OAUTH_BOT_TOKEN,
                "bot_user_id": BOT_USER,
                "team": self.oauth_team,
                "enterprise": None,
                "is_enterprise_install": False,
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F07FILE{next(self._ts):04d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(params["files"])
            return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self._server.port}/link"}
        return {"ok": False, "error": "unknown_method"}

    async def _hook(self, request: web.Request) -> web.Response:
        self.hooks.append((request.match_info["name"], await request.json()))
        await self._notify()
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        await self._notify()
        return web.Response(text="OK - uploaded")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        self._sockets.append(socket)
        await self._notify()
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(frame.data))
                await self._notify()
        return socket
