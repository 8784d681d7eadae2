"""Config endpoints and Telegram linking rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from nudge.store.db import SessionFactory
from nudge.store.models import UserConfig


async def test_defaults_from_the_migration(api: httpx.AsyncClient) -> None:
    assert (await api.get("/config")).json() == {
        "telegram_chat_id": None,
        "desktop_device_id": None,
        "timezone": "UTC",
        "default_reminders": [{"offset_minutes": 15, "channels": ["desktop", "telegram"]}],
        "catchup_window_minutes": 1440,
        "telegram_language": None,
        "telegram_linked": False,
        "desktop_registered": False,
    }


async def test_patch_config(api: httpx.AsyncClient) -> None:
    body = {
        "timezone": "Europe/Berlin",
        "default_reminders": [{"offset_minutes": 60, "channels": ["telegram"]}],
        "catchup_window_minutes": 30,
        "telegram_language": "ru",
    }
    response = await api.patch("/config", json=body)
    assert response.status_code == 200
    assert {k: response.json()[k] for k in body} == body
    assert (await api.get("/config")).json()["timezone"] == "Europe/Berlin"


async def test_default_change_rewrites_events_that_use_defaults(
    linked_api: httpx.AsyncClient,
) -> None:
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    uses_defaults = (
        await linked_api.post("/events", json={"title": "a", "start_time": start.isoformat()})
    ).json()
    own = (
        await linked_api.post(
            "/events",
            json={
                "title": "b",
                "start_time": start.isoformat(),
                "reminders": [{"offset_minutes": 5, "channels": ["desktop"]}],
            },
        )
    ).json()
    await linked_api.patch(
        "/config", json={"default_reminders": [{"offset_minutes": 120, "channels": ["desktop"]}]}
    )

    async def live_offsets(event_id: int) -> list[int]:
        rows = (await linked_api.get(f"/events/{event_id}/reminders")).json()
        return sorted(r["offset_minutes"] for r in rows if r["status"] == "pending")

    assert await live_offsets(uses_defaults["id"]) == [120]
    assert await live_offsets(own["id"]) == [5]


async def test_first_chat_links_then_others_need_a_code(api: httpx.AsyncClient) -> None:
    assert (await api.put("/config/telegram/100")).json()["telegram_chat_id"] == "100"
    assert (await api.put("/config/telegram/100")).status_code == 200
    refused = await api.put("/config/telegram/200")
    assert refused.status_code == 403
    assert refused.json()["errors"] == [
        {"field": "code", "message": "is missing, wrong or expired"}
    ]
    code = (await api.post("/config/telegram/link-code")).json()["code"]
    assert len(code) == 6 and code.isdigit()
    linked = await api.put("/config/telegram/200", json={"code": code})
    assert linked.status_code == 200
    assert linked.json()["telegram_chat_id"] == "200"
    # One use only.
    assert (await api.put("/config/telegram/300", json={"code": code})).status_code == 403


async def test_a_wrong_code_burns_the_code(api: httpx.AsyncClient) -> None:
    await api.put("/config/telegram/100")
    code = (await api.post("/config/telegram/link-code")).json()["code"]
    wrong = "000000" if code != "000000" else "111111"
    assert (await api.put("/config/telegram/200", json={"code": wrong})).status_code == 403
    assert (await api.put("/config/telegram/200", json={"code": code})).status_code == 403
    assert (await api.get("/config")).json()["telegram_chat_id"] == "100"


async def test_expired_code_is_refused(api: httpx.AsyncClient, db: SessionFactory) -> None:
    await api.put("/config/telegram/100")
    code = (await api.post("/config/telegram/link-code")).json()["code"]
    async with db() as session, session.begin():
        await session.execute(
            update(UserConfig).values(
                telegram_link_code_expires_at=datetime.now(UTC) - timedelta(seconds=1)
            )
        )
    assert (await api.put("/config/telegram/200", json={"code": code})).status_code == 403


async def test_unlink_telegram(linked_api: httpx.AsyncClient) -> None:
    response = await linked_api.delete("/config/telegram")
    assert response.json()["telegram_linked"] is False
    assert (await linked_api.put("/config/telegram/999")).status_code == 200


async def test_register_desktop_device(api: httpx.AsyncClient) -> None:
    device = "0b6f7d0e-3a4c-4a8e-9d61-2f0b1c9e7a11"
    assert (await api.put(f"/config/desktop/{device}")).json()["desktop_device_id"] == device
