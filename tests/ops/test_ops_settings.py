"""The operations settings: METRICS_PORT empty turns the endpoint off (every other empty
setting means its default), LOG_FORMAT is text or json."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def no_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env unless a test writes one
    for name in ("METRICS_PORT", "METRICS_HOST", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)


def test_the_endpoint_is_on_127_0_0_1_9090_by_default():
    settings = load_settings()
    assert (settings.metrics_host, settings.metrics_port) == ("127.0.0.1", 9090)
    assert settings.log_format == "text"


def test_an_empty_metrics_port_in_the_environment_turns_it_off(monkeypatch):
    monkeypatch.setenv("METRICS_PORT", "")
    assert load_settings().metrics_port is None


def test_an_empty_metrics_port_in_dotenv_turns_it_off_unless_the_environment_sets_it(
    tmp_path, monkeypatch
):
    (tmp_path / ".env").write_text("METRICS_PORT=\nLOG_LEVEL=INFO\n", encoding="utf-8")
    assert load_settings().metrics_port is None
    monkeypatch.setenv("METRICS_PORT", "9100")
    assert load_settings().metrics_port == 9100


def test_log_format_is_text_or_json(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert load_settings().log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        load_settings()


def test_a_port_out_of_range_is_refused(monkeypatch):
    monkeypatch.setenv("METRICS_PORT", "70000")
    with pytest.raises(SettingsError, match="METRICS_PORT"):
        load_settings()
