from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.settings import Platform, check_ready_to_serve, load_settings


def test_defaults_match_the_documented_ones() -> None:
    settings = load_settings(env_file=None)
    assert settings.database_url == "sqlite:///engage.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.min_group_size == 5
    assert settings.consent_mode == "opt_in"
    assert settings.default_locale == "en"
    assert settings.env == "dev"
    assert settings.platforms == (Platform.SLACK, Platform.TEAMS)


def test_conventional_variable_names_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "abc123")
    monkeypatch.setenv("MicrosoftAppId", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("ENGAGE_PLATFORMS", "teams")
    monkeypatch.setenv("ENGAGE_MIN_GROUP_SIZE", "7")
    settings = load_settings(env_file=None)
    assert settings.slack_signing_secret == "abc123"
    assert settings.teams_app_id == "00000000-0000-0000-0000-000000000001"
    assert settings.platforms == (Platform.TEAMS,)
    assert settings.min_group_size == 7


def test_env_file_is_read_only_when_loading(tmp_path_factory: pytest.TempPathFactory) -> None:
    env_file = tmp_path_factory.mktemp("env") / ".env"
    env_file.write_text("ENGAGE_PORT=4100\n")
    assert load_settings(env_file=str(env_file)).port == 4100


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ENGAGE_DATABASE_URL", "not a url", "ENGAGE_DATABASE_URL: not a database URL"),
        ("ENGAGE_DATABASE_URL", "mysql://db/x", "ENGAGE_DATABASE_URL: only sqlite"),
        ("ENGAGE_PORT", "70000", "ENGAGE_PORT: must be between 0 and 65535"),
        ("ENGAGE_CONSENT_MODE", "always", "ENGAGE_CONSENT_MODE"),
        ("ENGAGE_PLATFORMS", "slack,irc", "ENGAGE_PLATFORMS"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings(env_file=None)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_prod_refuses_empty_signing_secret_by_name() -> None:
    settings = load_settings(
        env_file=None, env="prod", platforms="slack", slack_bot_token="xoxb-123-456-abc"
    )
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET") as raised:
        check_ready_to_serve(settings)
    assert "SLACK_BOT_TOKEN" not in str(raised.value)


@pytest.mark.parametrize("placeholder", ["changeme", "xoxb-your-token", "<secret>", "  "])
def test_prod_refuses_placeholder_secrets(placeholder: str) -> None:
    settings = load_settings(
        env_file=None,
        env="prod",
        platforms="slack",
        slack_bot_token=placeholder,
        slack_signing_secret="8f742231b10e8888abcd99yyyzzz85a5",
    )
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        check_ready_to_serve(settings)


def test_prod_oauth_install_needs_secret_key() -> None:
    settings = load_settings(
        env_file=None,
        env="prod",
        platforms="slack",
        slack_signing_secret="8f742231b10e8888abcd99yyyzzz85a5",
        slack_client_id="123.456",
        slack_client_secret="0a1b2c3d4e5f",
    )
    with pytest.raises(ConfigError, match="ENGAGE_SECRET_KEY"):
        check_ready_to_serve(settings)


def test_prod_teams_needs_app_credentials() -> None:
    settings = load_settings(env_file=None, env="prod", platforms="teams")
    with pytest.raises(ConfigError, match="MicrosoftAppId, MicrosoftAppPassword"):
        check_ready_to_serve(settings)


def test_dev_only_warns_and_names_what_is_missing() -> None:
    warnings = check_ready_to_serve(load_settings(env_file=None, platforms="slack"))
    assert len(warnings) == 1
    assert "SLACK_SIGNING_SECRET" in warnings[0]
    assert "SLACK_BOT_TOKEN" in warnings[0]


def test_complete_prod_configuration_is_accepted() -> None:
    settings = load_settings(
        env_file=None,
        env="prod",
        platforms="slack,teams",
        slack_signing_secret="8f742231b10e8888abcd99yyyzzz85a5",
        slack_bot_token="xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
        teams_app_id="4a2e7d51-1c33-4e8a-9c0e-0c7a8d4b5e61",
        teams_app_password="Qx8~Fe2.p9VnT_aR3mK0",
    )
    assert check_ready_to_serve(settings) == []


def test_prod_socket_mode_needs_the_app_token_not_the_signing_secret() -> None:
    settings = load_settings(
        env_file=None,
        env="prod",
        platforms="slack",
        slack_mode="socket",
        slack_bot_token="xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    )
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        check_ready_to_serve(settings)
    ready = settings.model_copy(update={"slack_app_token": "xapp-1-A07ENGAGE01-7081264813-4c1d"})
    assert check_ready_to_serve(ready) == []


STRONG = {
    "slack_signing_secret": "8f742231b10e8888abcd99yyyzzz85a5",
    "slack_bot_token": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    "teams_app_id": "4a2e7d51-1c33-4e8a-9c0e-0c7a8d4b5e61",
    "teams_app_password": "Qx8~Fe2.p9VnT_aR3mK0",
}


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("slack_signing_secret", "a", "SLACK_SIGNING_SECRET (only 1 character)"),
        ("slack_signing_secret", "0123456789abcde", "SLACK_SIGNING_SECRET (only 15 characters)"),
        ("slack_bot_token", "xoxb-" + "1" * 40, "SLACK_BOT_TOKEN (too repetitive)"),
        ("teams_app_password", "password", "MicrosoftAppPassword (a placeholder)"),
        ("teams_app_password", "REPLACE_ME", "MicrosoftAppPassword (a placeholder)"),
        ("teams_app_password", "Replace-me-with-the-Azure-secret", "(a placeholder)"),
        ("secret_key", "1", "ENGAGE_SECRET_KEY (only 1 character)"),
        ("secret_key", "abababababababababababab", "ENGAGE_SECRET_KEY (too repetitive)"),
    ],
)
def test_prod_refuses_weak_secrets_naming_the_variable_and_the_rule(
    field: str, value: str, problem: str
) -> None:
    settings = load_settings(env_file=None, env="prod", **{**STRONG, field: value})
    with pytest.raises(ConfigError) as raised:
        check_ready_to_serve(settings)
    message = str(raised.value)
    assert message.startswith("ENGAGE_ENV=prod refuses weak secrets: ")
    assert problem in message
    assert "at least 16 characters" in message
    assert len(value) < 3 or value not in message  # the secret itself is never echoed
    dev = settings.model_copy(update={"env": "dev"})
    assert check_ready_to_serve(dev) == []


def test_prod_checks_oauth_secrets_and_accepts_strong_ones() -> None:
    oauth = {
        **STRONG,
        "slack_client_id": "2478213.7081264813",
        "slack_client_secret": "0a1b2c3d4e5f",
        "secret_key": "k7Vq2Lr9Zx4Tn8Wm3Pb6Yc1Hd5Js0Gf",
    }
    weak = load_settings(env_file=None, env="prod", **oauth)
    with pytest.raises(ConfigError, match=r"weak secrets: SLACK_CLIENT_SECRET \(only 12"):
        check_ready_to_serve(weak)
    strong = weak.model_copy(update={"slack_client_secret": "5c1e0f7b9d2a4c6e8f0a1b3c5d7e9f01"})
    assert check_ready_to_serve(strong) == []


def test_secrets_dir_files_fill_what_the_environment_leaves_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secrets = tmp_path_factory.mktemp("secrets")
    (secrets / "SLACK_SIGNING_SECRET").write_text("from-the-file-8c1f\n")
    (secrets / "MicrosoftAppPassword").write_text("teams-from-file")
    (secrets / "ENGAGE_DATABASE_URL").write_text("postgresql+psycopg://engage:pw@db/engage\n")
    monkeypatch.setenv("ENGAGE_SECRETS_DIR", str(secrets))
    monkeypatch.setenv("MicrosoftAppPassword", "teams-from-env")
    settings = load_settings(env_file=None)
    assert settings.slack_signing_secret == "from-the-file-8c1f"
    assert settings.database_url == "postgresql+psycopg://engage:pw@db/engage"
    assert settings.teams_app_password == "teams-from-env"


def test_secrets_dir_must_exist(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    missing = tmp_path_factory.mktemp("secrets") / "absent"
    monkeypatch.setenv("ENGAGE_SECRETS_DIR", str(missing))
    with pytest.raises(ConfigError, match=r"ENGAGE_SECRETS_DIR: .* is not a directory"):
        load_settings(env_file=None)


def test_a_bad_value_in_a_secret_file_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secrets = tmp_path_factory.mktemp("secrets")
    (secrets / "ENGAGE_DATABASE_URL").write_text("mysql://db/x")
    monkeypatch.setenv("ENGAGE_SECRETS_DIR", str(secrets))
    with pytest.raises(ConfigError, match="ENGAGE_DATABASE_URL: only sqlite"):
        load_settings(env_file=None)


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8", "ENGAGE_LANGUAGE": "en"}, "en"),
        ({"ENGAGE_LANGUAGE": "FR"}, "fr"),
        ({"ENGAGE_LANGUAGE": ""}, "en"),
    ],
)
def test_the_operators_language_is_the_setting_else_the_locale(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], language: str
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert load_settings(env_file=None).operator_language == language


def test_an_unknown_language_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGAGE_LANGUAGE", "de")
    with pytest.raises(ConfigError, match=r"^ENGAGE_LANGUAGE: "):
        load_settings(env_file=None)
