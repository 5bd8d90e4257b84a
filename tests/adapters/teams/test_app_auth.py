"""Bot Framework JWT validation against a local OpenID issuer with its own RSA key."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import text

from bot.services import Services
from bot.settings import load_settings
from tests.adapters.teams.activities import APP_ID, activity
from tests.adapters.teams.conftest import TeamsServer, serve_teams
from tests.adapters.teams.fake_connector import FakeConnector
from tests.support.black_hole import BlackHole

ISSUER = "https://api.botframework.com"
KEY_ID = "engage-test-key"


class Issuer:
    """Serves OpenID metadata and a JWKS on 127.0.0.1, and signs tokens with its key."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.server: TestServer | None = None

    @property
    def metadata_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/v1/.well-known/openidconfiguration"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()

    async def _metadata(self, request: web.Request) -> web.Response:
        keys = str(request.url.with_path("/v1/.well-known/keys"))
        return web.json_response({"issuer": ISSUER, "jwks_uri": keys})

    async def _keys(self, _request: web.Request) -> web.Response:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=KEY_ID, use="sig", endorsements=["msteams"])
        return web.json_response({"keys": [jwk]})

    def token(self, service_url: str, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "serviceurl": service_url,
            "nbf": now - 60,
            "exp": now + 3600,
            "iss": ISSUER,
            "aud": APP_ID,
        }
        payload.update(claims)
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": KEY_ID})


@pytest.fixture
async def issuer() -> AsyncIterator[Issuer]:
    running = Issuer()
    await running.start()
    yield running
    assert running.server is not None
    await running.server.close()


@pytest.fixture
async def secured(database_url: str, issuer: Issuer) -> AsyncIterator[TeamsServer]:
    settings = load_settings(
        env_file=None,
        database_url=database_url,
        port=0,
        teams_app_id=APP_ID,
        teams_app_password="a-real-looking-client-secret",
        teams_openid_metadata_url=issuer.metadata_url,
    )
    services = Services.build(settings)
    try:
        async with serve_teams(services) as server:
            yield server
    finally:
        await services.stop()


async def recorded(server: TeamsServer) -> int:
    def count(session: Any) -> int:
        return int(session.execute(text("SELECT count(*) FROM inbox_event")).scalar_one())

    return await server.services.database.read(count)


async def test_unreachable_openid_metadata_is_a_503_not_a_401(
    database_url: str, connector: FakeConnector, issuer: Issuer
) -> None:
    settings = load_settings(
        env_file=None,
        database_url=database_url,
        teams_app_id=APP_ID,
        teams_app_password="a-real-looking-client-secret",
        teams_openid_metadata_url="http://127.0.0.1:9/v1/.well-known/openidconfiguration",
    )
    services = Services.build(settings)
    try:
        async with serve_teams(services) as server:
            token = issuer.token(connector.url)
            answer = await server.post(
                activity("channel_message", connector.url), {"Authorization": f"Bearer {token}"}
            )
    finally:
        await services.stop()
    assert answer.status == 503


async def test_openid_metadata_that_never_answers_is_a_503_within_the_timeout(
    database_url: str, connector: FakeConnector, issuer: Issuer
) -> None:
    timeout = 2.0
    async with BlackHole() as black_hole:
        settings = load_settings(
            env_file=None,
            database_url=database_url,
            teams_app_id=APP_ID,
            teams_app_password="a-real-looking-client-secret",
            teams_openid_metadata_url=black_hole.url,
            api_timeout_seconds=timeout,
        )
        services = Services.build(settings)
        try:
            async with serve_teams(services) as server:
                token = issuer.token(connector.url)
                answer = await asyncio.wait_for(
                    server.post(
                        activity("channel_message", connector.url),
                        {"Authorization": f"Bearer {token}"},
                    ),
                    3 * timeout,
                )
                stored = await recorded(server)
        finally:
            await services.stop()
    assert black_hole.accepted == 1
    assert answer.status == 503
    assert stored == 0


async def test_without_authorization_the_request_is_refused(
    secured: TeamsServer, connector: FakeConnector
) -> None:
    answer = await secured.post(activity("channel_message", connector.url))
    assert answer.status == 401
    assert await recorded(secured) == 0


async def test_a_token_from_the_channel_for_this_bot_is_accepted(
    secured: TeamsServer, connector: FakeConnector, issuer: Issuer
) -> None:
    token = issuer.token(connector.url)
    answer = await secured.post(
        activity("channel_message", connector.url), {"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 200
    assert await recorded(secured) == 2


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "00000000-0000-0000-0000-000000000000"},
        {"exp": int(time.time()) - 3600, "nbf": int(time.time()) - 7200},
        {"iss": "https://sts.example.invalid/"},
        {"serviceurl": "https://smba.example.invalid/"},
    ],
    ids=["wrong-audience", "expired", "wrong-issuer", "other-service-url"],
)
async def test_a_token_for_someone_else_or_out_of_date_is_refused(
    secured: TeamsServer, connector: FakeConnector, issuer: Issuer, claims: dict[str, Any]
) -> None:
    token = issuer.token(connector.url, **claims)
    answer = await secured.post(
        activity("channel_message", connector.url), {"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 401
    assert await recorded(secured) == 0


async def test_a_token_signed_by_another_key_is_refused(
    secured: TeamsServer, connector: FakeConnector, issuer: Issuer
) -> None:
    impostor = Issuer()
    token = impostor.token(connector.url)
    answer = await secured.post(
        activity("channel_message", connector.url), {"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 401


async def test_a_body_that_cannot_be_read_is_a_400_only_behind_a_valid_token(
    secured: TeamsServer, connector: FakeConnector, issuer: Issuer
) -> None:
    async def post(headers: dict[str, str]) -> int:
        headers = {"Content-Type": "application/json", **headers}
        async with secured.session.post(
            f"{secured.url}api/messages", data=b'{"type": "message", "text', headers=headers
        ) as response:
            return response.status

    valid = {"Authorization": f"Bearer {issuer.token(connector.url)}"}
    impostor = {"Authorization": f"Bearer {Issuer().token(connector.url)}"}
    assert [await post(valid), await post(impostor), await post({})] == [400, 401, 401]
    assert await recorded(secured) == 0
