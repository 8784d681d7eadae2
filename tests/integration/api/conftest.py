"""An in-process API over the test database, reached through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from nudge.api.app import create_app
from nudge.config import Settings
from nudge.store.db import SessionFactory

ApiFactory = Callable[..., Coroutine[Any, Any, httpx.AsyncClient]]


@pytest.fixture
async def make_api(settings: Settings, db: SessionFactory) -> AsyncIterator[ApiFactory]:
    """Build API clients with setting overrides; every app is shut down afterwards."""
    opened: list[tuple[FastAPI, httpx.AsyncClient, Any]] = []

    async def factory(**overrides: Any) -> httpx.AsyncClient:
        # The dispatcher has tests of its own; here the API alone is under test.
        overrides.setdefault("embedded_dispatcher", False)
        app = create_app(settings.model_copy(update=overrides))
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://nudge.test",
        )
        opened.append((app, client, lifespan))
        return client

    yield factory
    for _, client, lifespan in reversed(opened):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def api(make_api: ApiFactory) -> httpx.AsyncClient:
    return await make_api()


@pytest.fixture
async def linked_api(api: httpx.AsyncClient) -> httpx.AsyncClient:
    """An API whose user has a desktop device and a Telegram chat linked."""
    assert (await api.put("/config/desktop/device-1")).status_code == 200
    assert (await api.put("/config/telegram/4242")).status_code == 200
    return api
