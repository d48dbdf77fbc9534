"""Settings: a missing or malformed setting stops start-up with one message naming it."""

import pytest

from bot.settings import SettingsError, load_settings


def test_malformed_token_names_the_setting(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        load_settings()


def test_missing_token_is_named_when_required(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = load_settings(_env_file=None)
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is not set"):
        settings.require_token()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TICK_INTERVAL_SECONDS", "soon"),
        ("INVITE_VALID_DAYS", "0"),
        ("DEFAULT_LANGUAGE", "de"),
        ("DEFAULT_TIMEZONE", "Europe/Växjö"),
        ("TELEGRAM_API_BASE_URL", "localhost:8081"),
        ("LOG_LEVEL", "LOUD"),
        ("WEBHOOK_URL", "bot.example.org/hook"),
        ("WEBHOOK_PORT", "70000"),
        ("WEBHOOK_SECRET", "short"),
        ("WEBHOOK_SECRET", "sixteen or more but with spaces"),
    ],
)
def test_malformed_setting_is_named(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_run_without_token_exits_with_one_clear_message(monkeypatch, capsys, tmp_path):
    from bot.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in err


def test_run_webhook_without_its_url_and_secret_exits_naming_them(monkeypatch, capsys, tmp_path):
    from bot.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:" + "A" * 35)
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run", "--webhook"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WEBHOOK_URL and WEBHOOK_SECRET must be set" in err
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "a" * 16)
    load_settings(_env_file=None).require_webhook()  # both set: nothing missing


def test_transport_speedup_is_for_development_with_a_fake_clock_only(monkeypatch, tmp_path):
    monkeypatch.delenv("FAKE_CLOCK_FILE", raising=False)
    monkeypatch.setenv("TRANSPORT_SPEEDUP", "20")
    with pytest.raises(SettingsError, match="TRANSPORT_SPEEDUP is for development only"):
        load_settings(_env_file=None)
    monkeypatch.setenv("FAKE_CLOCK_FILE", str(tmp_path / "clock.txt"))
    assert load_settings(_env_file=None).transport_speedup == 20
    monkeypatch.setenv("TRANSPORT_SPEEDUP", "0.5")  # slower than Telegram: never
    with pytest.raises(SettingsError, match="TRANSPORT_SPEEDUP"):
        load_settings(_env_file=None)
    monkeypatch.delenv("TRANSPORT_SPEEDUP")
    assert load_settings(_env_file=None).transport_speedup == 1.0
