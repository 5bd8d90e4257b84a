"""Log lines never carry Slack tokens or configured secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging, secret_values
from bot.settings import load_settings

TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
PASSWORD = "Zq8~tW6mB2xR7cN4sL9dF5hJ0a"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_tokens_and_secrets_are_redacted_at_debug(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(
        env_file=None, slack_client_secret="5c1e0f7b9d2a4c6e8f0a1b3c5d7e9f01",
        teams_app_password=PASSWORD, slack_signing_secret="8f742231b10e8888abcd99yyyzzz85a5",
    )  # fmt: skip
    configure_logging("DEBUG", secret_values(settings))
    log = logging.getLogger("slack_sdk.web.async_base_client")
    log.debug("Received the following response - body: %s", {"access_token": TOKEN})
    log.debug("password=%s other=xoxp-1-2-abc", PASSWORD)
    try:
        raise RuntimeError(f"failed with {settings.slack_client_secret}")
    except RuntimeError:
        log.exception("call failed")
    err = capsys.readouterr().err
    for secret in (TOKEN, "xoxp-1-2-abc", PASSWORD, settings.slack_client_secret):
        assert secret not in err
    assert err.count(REDACTED) == 4


@pytest.mark.parametrize(
    "line",
    [
        "Invalid request signature detected (signature: v0=1, timestamp: 2, body: {text})",
        "Unhandled request ({{'type': 'event_callback', 'value': '{text}'}})",
        "Sending a request - url: https://slack.test/api/chat.postMessage, query_params: {{}}, "
        "body_params: {{'text': '{text}'}}, files: {{}}, json_body: None",
        "Received the following response - status: 200, body: {{'user': '{user}'}}",
        'Responding with status: 200 body: "{text}\n{user}" (3 millis)',
    ],
    ids=["bolt-signature", "bolt-unhandled", "sdk-request", "sdk-response", "bolt-response"],
)
def test_request_bodies_logged_by_libraries_are_redacted(
    restored_logging: None, capsys: pytest.CaptureFixture[str], line: str
) -> None:
    configure_logging("DEBUG")
    logging.getLogger("slack_bolt.AsyncApp").info(line.format(text="canary-3c9d", user="U0CANARY"))
    err = capsys.readouterr().err
    assert REDACTED in err
    assert "canary-3c9d" not in err
    assert "U0CANARY" not in err


def test_former_secret_keys_are_redacted_too(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    former = "Xn4b7Qe2Lm9Tz1Kc5Rv8Wy3Hd6Gs0Pu"
    settings = load_settings(
        env_file=None, secret_key="q8vZ3k1Yp0tW6mB2xR7cN4sL9dF5hJ0a", secret_key_fallbacks=former
    )
    configure_logging("DEBUG", secret_values(settings))
    logging.getLogger("engage.test").warning("rotating from %s", former)
    err = capsys.readouterr().err
    assert former not in err
    assert REDACTED in err
