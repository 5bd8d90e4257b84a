"""Teams tests: the Teams endpoint on 127.0.0.1:0 and a fake Bot Connector beside it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.teams.app import TeamsBot, mount_teams
from bot.services import Services
from tests.adapters.teams.activities import (
    ALICE,
    ALICE_ID,
    BOB,
    BOB_ID,
    CAROL,
    CAROL_ID,
    GARDEN,
    TEAM,
    roster_member,
)
from tests.adapters.teams.fake_connector import FakeConnector


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class TeamsServer:
    url: str
    services: Services
    bot: TeamsBot
    session: aiohttp.ClientSession

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
        """Post an activity, then wait for the answer it started after its acknowledgement."""
        answer = await self.acknowledge(activity, headers)
        await asyncio.wait_for(self.bot.beside.settled(), 30)
        return answer

    async def acknowledge(
        self, activity: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Answer:
        async with self.session.post(
            f"{self.url}api/messages", json=activity, headers=headers or {}
        ) as response:
            text = await response.text()
            body = (
                await response.json()
                if text and response.content_type == "application/json"
                else text
            )
            return Answer(response.status, body)


@asynccontextmanager
async def serve_teams(services: Services) -> AsyncIterator[TeamsServer]:
    app = web.Application()
    bot = mount_teams(app, services)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsServer(str(server.make_url("/")), services, bot, session)
    finally:
        await server.close()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector(
        members={
            ALICE_ID: roster_member(ALICE_ID, ALICE, "Alice Martin"),
            BOB_ID: roster_member(BOB_ID, BOB, "Bob Durand"),
            CAROL_ID: roster_member(CAROL_ID, CAROL, "Carol Petit"),
        },
        teams={
            TEAM: {
                "id": TEAM,
                "name": "Garden lovers",
                "aadGroupId": "0f3c5d7e-9a1b-4c2d-8e3f-5a6b7c8d9e0f",
            }
        },
        channels={TEAM: [{"id": TEAM, "name": None}, {"id": GARDEN, "name": "garden"}]},
    )
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def teams(services: Services) -> AsyncIterator[TeamsServer]:
    async with serve_teams(services) as server:
        yield server
