"""Settings fail fast with one readable line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from nudge.config import SettingsError, load_settings


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("NUDGE_API_PORT", "eighty", "NUDGE_API_PORT"),
        ("NUDGE_API_PORT", "70000", "NUDGE_API_PORT"),
        ("NUDGE_DATABASE_URL", "mysql://x/y", "NUDGE_DATABASE_URL"),
        ("NUDGE_AMQP_URL", "http://broker", "NUDGE_AMQP_URL"),
        ("NUDGE_DELAY_BACKEND", "carrier-pigeon", "NUDGE_DELAY_BACKEND"),
        ("NUDGE_DISPATCH_HORIZON", "0", "NUDGE_DISPATCH_HORIZON"),
        ("NUDGE_TOPOLOGY_PREFIX", "has space", "NUDGE_TOPOLOGY_PREFIX"),
    ],
)
def test_bad_values_raise_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert words in message
    assert "\n" not in message


def test_defaults_match_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("NUDGE_"):
            monkeypatch.delenv(key)
    settings = load_settings()
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/nudge"
    assert (settings.api_host, settings.api_port) == ("127.0.0.1", 8000)
    assert (settings.ws_host, settings.ws_port) == ("127.0.0.1", 8001)
    assert settings.delay_backend == "auto"
    assert settings.dispatch_horizon == timedelta(hours=1)
    assert settings.api_token is None and settings.topology_prefix == ""


def test_the_command_prints_one_line_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nudge", "api"],
        env=os.environ | {"NUDGE_API_PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nudge: bad setting NUDGE_API_PORT")


def test_the_desktop_notifier_settings_fail_the_same_way() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nudge", "desktop-notifier"],
        env=os.environ | {"NUDGE_DESKTOP_ACK_TIMEOUT": "-1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "nudge: bad setting NUDGE_DESKTOP_ACK_TIMEOUT: Input should be greater than 0"
    )
