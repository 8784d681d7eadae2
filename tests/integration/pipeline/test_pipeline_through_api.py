"""From the REST API to the notification queue: the API's own writes, its embedded
dispatcher and the native delay backend, with a claiming consumer at the end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from nudge.api.app import create_app
from nudge.config import Settings
from nudge.store.db import SessionFactory
from tests.integration.pipeline.conftest import NotifierFactory

AT_START = [{"offset_minutes": 0, "channels": ["desktop"]}]


@pytest.fixture
async def api(pipe_settings: Settings, db: SessionFactory) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(pipe_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nudge.test") as client:
            assert (await client.put("/config/desktop/dev-1")).status_code == 200
            yield client


def _in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def _event(api: httpx.AsyncClient, title: str, seconds: float) -> dict[str, Any]:
    body = {"title": title, "start_time": _in(seconds), "reminders": AT_START}
    response = await api.post("/events", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _queued(api: httpx.AsyncClient, event_id: int) -> None:
    """Wait until the embedded dispatcher has handed the reminder to RabbitMQ."""
    for _ in range(200):
        rows = (await api.get(f"/events/{event_id}/reminders")).json()
        if rows and rows[-1]["status"] == "queued":
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never queued: {rows}")


async def test_edit_delete_and_done_through_the_api(
    api: httpx.AsyncClient, notifier: NotifierFactory
) -> None:
    n = await notifier()
    edited = await _event(api, "Dentist", 2)
    deleted = await _event(api, "Cancelled", 2)
    finished = await _event(api, "Finished", 2)
    for event in (edited, deleted, finished):
        await _queued(api, event["id"])

    moved = await api.patch(
        f"/events/{edited['id']}", json={"title": "Dentist (moved)", "start_time": _in(3)}
    )
    assert moved.status_code == 200
    assert (await api.delete(f"/events/{deleted['id']}")).status_code == 204
    assert (await api.post(f"/events/{finished['id']}/done")).status_code == 200

    # Three stale messages from before the changes, and the one new reminder.
    await n.wait_for(lambda: len(n.deliveries) == 4, 30)
    assert [m.event_title for m in n.sent] == ["Dentist (moved)"]
    assert len([d for d in n.deliveries if not d.claimed]) == 3
    rows = (await api.get(f"/events/{edited['id']}/reminders")).json()
    assert sorted((r["status"], r["version"]) for r in rows) == [("cancelled", 1), ("sent", 2)]
