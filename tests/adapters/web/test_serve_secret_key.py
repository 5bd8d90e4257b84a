"""`engage serve` in prod with Slack OAuth installs refuses to start without ENGAGE_SECRET_KEY."""

from __future__ import annotations

from pathlib import Path

from tests.support.processes import start_engage


async def test_prod_oauth_without_secret_key_refuses_by_name(tmp_path: Path) -> None:
    env = {
        "ENGAGE_ENV": "prod",
        "ENGAGE_PLATFORMS": "slack",
        "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
        "SLACK_CLIENT_ID": "2478213.7081264813",
        "SLACK_CLIENT_SECRET": "5c1e0f7b9d2a4c6e8f0a1b3c5d7e9f01",
        "ENGAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
    }
    code, log = await (await start_engage("serve", env=env, cwd=str(tmp_path))).finish()
    assert code != 0
    assert log.strip().splitlines() == [
        "engage: error: ENGAGE_ENV=prod refuses empty or placeholder secrets: set ENGAGE_SECRET_KEY"
    ]
