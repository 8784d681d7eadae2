"""Settings read from the environment (prefix ``NUDGE_``).

A bad value must stop a process at start with one readable line, so ``load_settings``
turns pydantic's validation error into :class:`SettingsError`, which the CLI prints.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Literal, TypeVar

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DelayBackendName = Literal["auto", "plugin", "native"]


S = TypeVar("S", bound=BaseSettings)


class SettingsError(Exception):
    """A setting has a value nudge cannot run with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NUDGE_", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nudge"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    ws_host: str = "127.0.0.1"
    ws_port: int = Field(default=8001, ge=1, le=65535)
    api_url: str = "http://127.0.0.1:8000"
    ws_url: str = ""
    api_token: str | None = None
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    # Prometheus metrics of the Telegram service (it has no HTTP server otherwise); 0 = off.
    telegram_metrics_port: int = Field(default=8002, ge=0, le=65535)
    delay_backend: DelayBackendName = "auto"
    dispatch_horizon: timedelta = timedelta(hours=1)
    topology_prefix: str = ""
    # Run the dispatcher inside ``nudge api`` (the default); off when it runs alone.
    embedded_dispatcher: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("database_url")
    @classmethod
    def _async_postgres(cls, value: str) -> str:
        if not value.startswith("postgresql+asyncpg://"):
            raise ValueError("must start with postgresql+asyncpg://")
        return value

    @field_validator("amqp_url")
    @classmethod
    def _amqp(cls, value: str) -> str:
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError("must start with amqp:// or amqps://")
        return value

    @field_validator("api_token", "telegram_token")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("dispatch_horizon")
    @classmethod
    def _positive_horizon(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1) or value > timedelta(days=40):
            raise ValueError("must be between 1 second and 40 days")
        return value

    @field_validator("topology_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if value and not all(c.isalnum() or c in "._-" for c in value):
            raise ValueError("may hold only letters, digits, '.', '_' and '-'")
        return value


def load_from_env(cls: type[S]) -> S:
    """Read ``cls`` from the environment; a bad value becomes one readable line."""
    try:
        return cls()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]).upper() if first["loc"] else "?"
        prefix = cls.model_config.get("env_prefix", "")
        raise SettingsError(f"{prefix}{field}: {first['msg']}") from None


def load_settings() -> Settings:
    return load_from_env(Settings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
