"""A fake Bot Connector (the service behind an activity's `serviceUrl`) on 127.0.0.1.

It records what the bot sends, answers member, paged-member (a private or shared
channel's own roster from `rosters`), team-details, channel-list and create-conversation
calls from its own small directory, and can be told to fail the next
sends with a status (429 with Retry-After, 403 MessageWritesBlocked, …).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

Json = dict[str, Any]


@dataclass
class Failure:
    status: int
    code: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeConnector:
    members: dict[str, Json] = field(default_factory=dict)
    teams: dict[str, Json] = field(default_factory=dict)
    channels: dict[str, list[Json]] = field(default_factory=dict)
    rosters: dict[str, list[str]] = field(default_factory=dict)
    """A private or shared channel's own member ids (other conversations: every member)."""
    page_size: int = 2
    sent: list[tuple[str, Json]] = field(default_factory=list)
    updated: list[tuple[str, str, Json]] = field(default_factory=list)
    created: list[Json] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._paged)
        app.router.add_get("/v3/teams/{team}", self._team)
        app.router.add_get("/v3/teams/{team}/conversations", self._channels)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    def fail_next(self, status: int, code: str, **headers: str) -> None:
        self.failures.append(
            Failure(status, code, {k.replace("_", "-"): v for k, v in headers.items()})
        )

    def sent_to(self, conversation: str) -> list[Json]:
        return [activity for target, activity in self.sent if target == conversation]

    def _failure(self) -> web.Response | None:
        if not self.failures:
            return None
        failure = self.failures.pop(0)
        body = {"error": {"code": failure.code, "message": "refused by the fake connector"}}
        return web.json_response(body, status=failure.status, headers=failure.headers)

    async def _send(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        self.requests.append(f"POST {conversation}")
        if refused := self._failure():
            return refused
        self.sent.append((conversation, await request.json()))
        return web.json_response({"id": f"m{next(self._ids)}"}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        conversation, activity = request.match_info["conversation"], request.match_info["activity"]
        self.requests.append(f"PUT {conversation}")
        if refused := self._failure():
            return refused
        self.updated.append((conversation, activity, await request.json()))
        return web.json_response({"id": activity})

    async def _create(self, request: web.Request) -> web.Response:
        self.requests.append("POST /v3/conversations")
        if refused := self._failure():
            return refused
        parameters = await request.json()
        self.created.append(parameters)
        return web.json_response({"id": f"a:created-{next(self._ids)}"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["member"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response(member)

    async def _paged(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        self.requests.append(f"GET pagedmembers {conversation}")
        start = int(request.query.get("continuationToken") or 0)
        everyone = list(self.members.values())
        if conversation in self.rosters:
            everyone = [self.members[member] for member in self.rosters[conversation]]
        page: Json = {"members": everyone[start : start + self.page_size]}
        if start + self.page_size < len(everyone):
            page["continuationToken"] = str(start + self.page_size)
        return web.json_response(page)

    async def _team(self, request: web.Request) -> web.Response:
        self.requests.append(f"GET team {request.match_info['team']}")
        team = self.teams.get(request.match_info["team"])
        if team is None:
            return web.json_response({"error": {"code": "TeamNotFound"}}, status=404)
        return web.json_response(team)

    async def _channels(self, request: web.Request) -> web.Response:
        team = request.match_info["team"]
        self.requests.append(f"GET channels {team}")
        return web.json_response({"conversations": self.channels.get(team, [])})
