"""Settings: a TOML file, environment overrides, secrets kept out of the file."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, TelegramSettings, load_settings
from flows.checkins.schedule import Hours

TOKEN = "123456:AAH-secret-looking-token"


def write_config(directory: Path, body: str, name: str = "leerverhaal.toml") -> Path:
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_without_a_config_file(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.data_dir == clean_env / ".local" / "share" / "leerverhaal"
    assert settings.database_url == f"sqlite:///{settings.data_dir / 'leerverhaal.sqlite3'}"
    assert settings.key_file == settings.data_dir / "secret.key"
    assert settings.privacy.min_group_size == 5
    assert settings.logging.level == "INFO"


def test_toml_file_with_environment_override(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(
        clean_env,
        f"""
data_dir = "{clean_env / "data"}"

[database]
url = "sqlite:///from-the-file.sqlite3"
echo = true

[privacy]
min_group_size = 7

[telegram]
admins = [42]
""",
        name="custom.toml",
    )
    settings = load_settings(path)
    assert settings.database_url == "sqlite:///from-the-file.sqlite3"
    assert settings.data_dir == clean_env / "data"
    assert settings.privacy.min_group_size == 7
    assert settings.telegram.admins == [42]

    monkeypatch.setenv("LEERVERHAAL_DATABASE__URL", "postgresql://bot:pw@db.example/leerverhaal")
    monkeypatch.setenv("LEERVERHAAL_PRIVACY__MIN_GROUP_SIZE", "9")
    overridden = load_settings(path)
    assert overridden.database_url == "postgresql://bot:pw@db.example/leerverhaal"
    assert overridden.database.echo is True  # the rest of [database] still comes from the file
    assert overridden.privacy.min_group_size == 9
    assert "pw" not in repr(overridden.database)  # the URL is a secret


def test_config_file_from_environment_and_local_default(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(clean_env, "[logging]\nlevel = 'DEBUG'\n")  # ./leerverhaal.toml
    assert load_settings().logging.level == "DEBUG"
    elsewhere = write_config(clean_env, "[logging]\nlevel = 'ERROR'\n", name="other.toml")
    monkeypatch.setenv("LEERVERHAAL_CONFIG", str(elsewhere))
    assert load_settings().logging.level == "ERROR"


def test_token_in_the_config_file_is_refused(clean_env: Path) -> None:
    path = write_config(clean_env, f'[telegram]\ntoken = "{TOKEN}"\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert "LEERVERHAAL_TELEGRAM__TOKEN" in message and "never in the config file" in message
    assert TOKEN not in message


@pytest.mark.parametrize("size", [2, 0, -1])
def test_min_group_size_below_three_is_refused(clean_env: Path, size: int) -> None:
    path = write_config(clean_env, f"[privacy]\nmin_group_size = {size}\n")
    with pytest.raises(ConfigError, match="min_group_size must be at least 3"):
        load_settings(path)


def test_min_group_size_below_three_from_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEERVERHAAL_PRIVACY__MIN_GROUP_SIZE", "2")
    with pytest.raises(ConfigError, match="at least 3"):
        load_settings()
    monkeypatch.setenv("LEERVERHAAL_PRIVACY__MIN_GROUP_SIZE", "3")
    assert load_settings().privacy.min_group_size == 3


def test_token_from_a_token_file(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_file = clean_env / "bot.token"
    token_file.write_text(f"  {TOKEN}\n", encoding="utf-8")
    path = write_config(clean_env, f'[telegram]\ntoken_file = "{token_file}"\n')
    assert load_settings(path).telegram.read_token() == TOKEN

    monkeypatch.setenv("LEERVERHAAL_TELEGRAM__TOKEN", "999:from-the-environment")
    assert load_settings(path).telegram.read_token() == "999:from-the-environment"


def test_missing_token_explains_what_to_do(clean_env: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings().telegram.read_token()
    message = str(raised.value)
    assert "LEERVERHAAL_TELEGRAM__TOKEN" in message
    assert "token_file" in message
    assert "@BotFather" in message

    empty = clean_env / "empty.token"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no bot token"):
        TelegramSettings(token_file=empty).read_token()


def test_unreadable_token_file(clean_env: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read telegram\.token_file"):
        TelegramSettings(token_file=clean_env / "missing.token").read_token()


def test_a_misplaced_secret_is_not_echoed(clean_env: Path) -> None:
    path = write_config(clean_env, f'bot_token = "{TOKEN}"\n[database]\nurl = ["{TOKEN}"]\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert "bot_token" in message and "database.url" in message
    assert "Extra inputs are not permitted" in message
    assert "AAH-secret" not in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[database\nurl = 1", "not valid TOML"),
        ("colour = 'blue'\n", "colour"),
        ("[logging]\nlevel = 'LOUD'\n", "level"),
    ],
)
def test_bad_config_files_give_config_errors(clean_env: Path, body: str, expected: str) -> None:
    path = write_config(clean_env, body)
    with pytest.raises(ConfigError, match=expected):
        load_settings(path)


def test_missing_config_file(clean_env: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(clean_env / "nope.toml")


def test_settings_object_reads_the_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEERVERHAAL_DATA_DIR", str(clean_env / "elsewhere"))
    monkeypatch.setenv("LEERVERHAAL_ENCRYPTION__KEY_FILE", str(clean_env / "k" / "my.key"))
    settings = Settings()
    assert settings.data_dir == clean_env / "elsewhere"
    assert settings.key_file == clean_env / "k" / "my.key"


def test_webhook_secret_in_the_config_file_is_refused(clean_env: Path) -> None:
    path = write_config(clean_env, '[telegram.webhook]\nsecret_token = "s3cret-value"\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert "LEERVERHAAL_TELEGRAM__WEBHOOK__SECRET_TOKEN" in message
    assert "s3cret-value" not in message


@pytest.mark.parametrize("secret", ["", "has spaces", "x" * 257, "slash/inside"])
def test_webhook_mode_needs_a_well_formed_secret(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("LEERVERHAAL_TELEGRAM__WEBHOOK__SECRET_TOKEN", secret)
    with pytest.raises(ConfigError, match="secret token of 1-256") as raised:
        load_settings().telegram.webhook.read_secret()
    assert not secret or secret not in str(raised.value)


def test_webhook_settings_from_the_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEERVERHAAL_TELEGRAM__WEBHOOK__SECRET_TOKEN", "abc_DEF-123")
    monkeypatch.setenv("LEERVERHAAL_TELEGRAM__WEBHOOK__URL", "https://bot.example.org/hook")
    monkeypatch.setenv("LEERVERHAAL_TELEGRAM__WEBHOOK__PORT", "8443")
    hook = load_settings().telegram.webhook
    assert (hook.read_secret(), hook.path, hook.port) == ("abc_DEF-123", "/hook", 8443)
    assert "abc_DEF-123" not in repr(hook)


def test_the_lease_must_outlast_two_renewals(clean_env: Path) -> None:
    path = write_config(clean_env, "[engine]\nlease_seconds = 10\nrenew_seconds = 6\n")
    with pytest.raises(ConfigError, match="renew_seconds"):
        load_settings(path)


def test_check_ins_go_out_from_seven_to_nine_unless_set_otherwise(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().checkins.hours() == Hours(time(7), time(21))
    path = write_config(clean_env, '[checkins]\nearliest = "07:30"\nlatest = 20:30:00\n')
    assert load_settings(path).checkins.hours() == Hours(time(7, 30), time(20, 30))
    monkeypatch.setenv("LEERVERHAAL_CHECKINS__EARLIEST", "06:00")
    assert load_settings(path).checkins.hours().start == time(6)


@pytest.mark.parametrize(
    "body",
    [
        '[checkins]\nearliest = "04:00"\n',  # night
        '[checkins]\nlatest = "23:30"\n',
        '[checkins]\nearliest = "21:00"\nlatest = "09:00"\n',
        '[checkins]\nearliest = "9 o\'clock"\n',
    ],
)
def test_night_hours_are_refused(clean_env: Path, body: str) -> None:
    with pytest.raises(ConfigError, match="checkins"):
        load_settings(write_config(clean_env, body))


def test_the_example_config_sets_the_default_hours(clean_env: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    assert load_settings(example).checkins.hours() == Hours(time(7), time(21))


def test_the_old_nudges_section_is_named_for_what_it_became(clean_env: Path) -> None:
    path = write_config(clean_env, "[nudges]\nearliest = '08:00'\n")
    with pytest.raises(ConfigError, match=r"\[nudges\] section is now called \[checkins\]"):
        load_settings(path)


def test_old_nudges_environment_names_are_refused_with_the_new_ones(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEERVERHAAL_NUDGES__EARLIEST", "08:00")
    with pytest.raises(ConfigError, match="LEERVERHAAL_CHECKINS__"):
        load_settings()
    monkeypatch.delenv("LEERVERHAAL_NUDGES__EARLIEST")
    monkeypatch.setenv("LEERVERHAAL_CHECKINS__EARLIEST", "08:00")
    assert load_settings().checkins.earliest == time(8)
