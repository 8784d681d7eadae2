"""Shared fixtures: every test session gets its own freshly migrated PostgreSQL
database and its own RabbitMQ topology prefix, and removes both at the end."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from nudge.config import Settings
from nudge.store.db import SessionFactory, drop_database, make_engine, make_session_factory
from nudge.store.migrate import migrate

PG_ROOT = os.environ.get("NUDGE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
AMQP_URL = os.environ.get("NUDGE_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def settings(run_id: str) -> Settings:
    return Settings(
        database_url=f"{PG_ROOT}/nudge_test_{run_id}",
        amqp_url=AMQP_URL,
        topology_prefix=f"test-{run_id}.",
        delay_backend="native",
        api_token=None,
        telegram_token=None,
    )


@pytest.fixture(scope="session")
async def migrated_database(settings: Settings) -> AsyncIterator[str]:
    await migrate(settings.database_url)
    yield settings.database_url
    await drop_database(settings.database_url)


@pytest.fixture(scope="session")
async def engine(migrated_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(migrated_database, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine: AsyncEngine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
async def db(engine: AsyncEngine) -> SessionFactory:
    """A clean database for one test: no events, no reminders, the default config."""
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE reminder, event RESTART IDENTITY CASCADE"))
        await conn.execute(text("DELETE FROM user_config"))
        await conn.execute(text("INSERT INTO user_config (id) VALUES (1)"))
    return make_session_factory(engine)
