"""Event endpoints against the real database: what is stored, what reminders exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from nudge.store.db import SessionFactory
from nudge.store.models import Event, Reminder


def _at(days: int = 2, hour: int = 15) -> datetime:
    base = datetime.now(UTC) + timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


async def _create(api: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    payload = {"title": "Dentist", "start_time": _at().isoformat()} | body
    response = await api.post("/events", json=payload)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _reminders(api: httpx.AsyncClient, event_id: int) -> list[dict[str, Any]]:
    response = await api.get(f"/events/{event_id}/reminders")
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


async def test_create_stores_event_and_default_reminders_for_linked_channels(
    linked_api: httpx.AsyncClient,
) -> None:
    start = _at()
    event = await _create(linked_api, start_time=start.isoformat(), location="Main St 1")
    assert event["title"] == "Dentist"
    assert datetime.fromisoformat(event["start_time"]) == start
    assert event["location"] == "Main St 1"
    assert event["version"] == 1
    reminders = await _reminders(linked_api, event["id"])
    assert sorted(r["notification_type"] for r in reminders) == ["desktop", "telegram"]
    for reminder in reminders:
        assert datetime.fromisoformat(reminder["remind_at"]) == start - timedelta(minutes=15)
        assert reminder["status"] == "pending"
        assert reminder["is_sent"] is False
    assert datetime.fromisoformat(event["next_reminder_at"]) == start - timedelta(minutes=15)


async def test_only_linked_channels_get_reminders(api: httpx.AsyncClient) -> None:
    event = await _create(api)
    assert await _reminders(api, event["id"]) == []
    await api.put("/config/desktop/device-1")
    # Linking a channel gives upcoming events the reminders they now should have.
    assert [r["notification_type"] for r in await _reminders(api, event["id"])] == ["desktop"]


async def test_override_reminders_and_past_points_skipped(linked_api: httpx.AsyncClient) -> None:
    start = datetime.now(UTC) + timedelta(minutes=30)
    event = await _create(
        linked_api,
        start_time=start.isoformat(),
        reminders=[
            {"offset_minutes": 60, "channels": ["telegram"]},
            {"offset_minutes": 10, "channels": ["desktop"]},
        ],
    )
    reminders = await _reminders(linked_api, event["id"])
    assert [(r["offset_minutes"], r["notification_type"]) for r in reminders] == [(10, "desktop")]


async def test_naive_times_are_read_in_the_users_zone(linked_api: httpx.AsyncClient) -> None:
    assert (
        await linked_api.patch("/config", json={"timezone": "Europe/Berlin"})
    ).status_code == 200
    event = await _create(linked_api, start_time="2031-07-01T15:00:00")
    assert event["timezone"] == "Europe/Berlin"
    assert event["start_time"] == "2031-07-01T15:00:00+02:00"
    other = await _create(linked_api, start_time="2031-07-01T15:00:00", timezone="America/New_York")
    assert other["start_time"] == "2031-07-01T15:00:00-04:00"


async def test_edit_cancels_old_reminders_and_writes_new_version(
    linked_api: httpx.AsyncClient,
) -> None:
    event = await _create(linked_api)
    new_start = _at(days=3)
    response = await linked_api.put(
        f"/events/{event['id']}",
        json={"title": "Dentist (moved)", "start_time": new_start.isoformat()},
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    reminders = await _reminders(linked_api, event["id"])
    by_status = {(r["status"], r["version"]) for r in reminders}
    assert by_status == {("cancelled", 1), ("pending", 2)}
    live = [r for r in reminders if r["status"] == "pending"]
    assert {datetime.fromisoformat(r["remind_at"]) for r in live} == {
        new_start - timedelta(minutes=15)
    }


async def test_patch_changes_only_given_fields(linked_api: httpx.AsyncClient) -> None:
    event = await _create(linked_api, description="bring x-ray")
    response = await linked_api.patch(f"/events/{event['id']}", json={"title": "Dr. Who"})
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["description"], body["start_time"]) == (
        "Dr. Who",
        "bring x-ray",
        event["start_time"],
    )
    assert body["version"] == 2


async def test_delete_removes_event_and_its_reminders(
    linked_api: httpx.AsyncClient, db: SessionFactory
) -> None:
    event = await _create(linked_api)
    assert (await linked_api.delete(f"/events/{event['id']}")).status_code == 204
    assert (await linked_api.get(f"/events/{event['id']}")).status_code == 404
    async with db() as session:
        count = await session.scalar(select(func.count()).select_from(Reminder))
    assert count == 0


async def test_done_completes_one_off_and_cancels_reminders(linked_api: httpx.AsyncClient) -> None:
    event = await _create(linked_api)
    response = await linked_api.post(f"/events/{event['id']}/done")
    assert response.status_code == 200
    assert response.json()["is_completed"] is True
    assert {r["status"] for r in await _reminders(linked_api, event["id"])} == {"cancelled"}
    # Finishing twice changes nothing.
    again = await linked_api.post(f"/events/{event['id']}/done")
    assert again.json()["version"] == response.json()["version"]


async def test_done_on_recurring_event_moves_to_next_occurrence(
    linked_api: httpx.AsyncClient,
) -> None:
    start = _at(days=1, hour=9)
    event = await _create(linked_api, start_time=start.isoformat(), rrule="FREQ=DAILY")
    first = {r["occurrence_start"] for r in await _reminders(linked_api, event["id"])}
    assert {datetime.fromisoformat(o) for o in first} == {start}
    response = await linked_api.post(f"/events/{event['id']}/done")
    assert response.json()["is_completed"] is False
    live = [r for r in await _reminders(linked_api, event["id"]) if r["status"] == "pending"]
    assert {datetime.fromisoformat(r["occurrence_start"]) for r in live} == {
        start + timedelta(days=1)
    }
    series = await linked_api.post(f"/events/{event['id']}/done", params={"series": "true"})
    assert series.json()["is_completed"] is True
    assert not [r for r in await _reminders(linked_api, event["id"]) if r["status"] == "pending"]


async def test_list_search_and_completed_filter(api: httpx.AsyncClient) -> None:
    dentist = await _create(api, title="Dentist", description="molar")
    await _create(api, title="Call mom", start_time=_at(days=1).isoformat())
    done = await _create(api, title="Pay rent", start_time=_at(days=3).isoformat())
    await api.post(f"/events/{done['id']}/done")

    listed = (await api.get("/events")).json()
    assert [e["title"] for e in listed["items"]] == ["Call mom", "Dentist", "Pay rent"]
    assert listed["next_cursor"] is None
    found = (await api.get("/events", params={"q": "MOLAR"})).json()["items"]
    assert [e["id"] for e in found] == [dentist["id"]]
    percent = (await api.get("/events", params={"q": "%"})).json()["items"]
    assert percent == []
    open_only = (await api.get("/events", params={"completed": "false"})).json()["items"]
    assert "Pay rent" not in [e["title"] for e in open_only]


async def test_cursor_pagination_visits_every_event_once(api: httpx.AsyncClient) -> None:
    same_time = _at().isoformat()
    created = {(await _create(api, title=f"e{i}", start_time=same_time))["id"] for i in range(7)}
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/events", params=params)).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(created)


async def test_window_expands_recurring_events_into_occurrences(api: httpx.AsyncClient) -> None:
    await api.patch("/config", json={"timezone": "Europe/Berlin"})
    await _create(api, title="Standup", start_time="2031-03-24T09:00:00", rrule="FREQ=DAILY")
    await _create(api, title="Dentist", start_time="2031-03-27T15:00:00")
    await _create(api, title="Later", start_time="2031-04-27T15:00:00")
    page = (
        await api.get(
            "/events", params={"from": "2031-03-26T00:00:00", "to": "2031-04-01T00:00:00"}
        )
    ).json()
    items = [(i["title"], i["occurrence_start"]) for i in page["items"]]
    # 2031-03-30 is the switch to summer time in Berlin: 09:00 stays 09:00 local.
    assert items == [
        ("Standup", "2031-03-26T09:00:00+01:00"),
        ("Standup", "2031-03-27T09:00:00+01:00"),
        ("Dentist", "2031-03-27T15:00:00+01:00"),
        ("Standup", "2031-03-28T09:00:00+01:00"),
        ("Standup", "2031-03-29T09:00:00+01:00"),
        ("Standup", "2031-03-30T09:00:00+02:00"),
        ("Standup", "2031-03-31T09:00:00+02:00"),
    ]
    paged: list[tuple[str, str]] = []
    cursor = None
    while True:
        params = {"from": "2031-03-26T00:00:00", "to": "2031-04-01T00:00:00", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await api.get("/events", params=params)).json()
        paged += [(i["title"], i["occurrence_start"]) for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == items


async def test_failed_write_leaves_no_row(
    linked_api: httpx.AsyncClient, db: SessionFactory
) -> None:
    response = await linked_api.post(
        "/events", json={"title": "x", "start_time": _at().isoformat(), "rrule": "FREQ=NOPE"}
    )
    assert response.status_code == 422
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 0
        assert await session.scalar(select(func.count()).select_from(Reminder)) == 0


async def test_all_day_event_starts_at_local_midnight_and_reminds_in_the_morning(
    linked_api: httpx.AsyncClient,
) -> None:
    await linked_api.patch("/config", json={"timezone": "Europe/Berlin"})
    event = await _create(linked_api, start_time="2031-07-01T15:30:00", all_day=True)
    assert event["start_time"] == "2031-07-01T00:00:00+02:00"
    reminders = await _reminders(linked_api, event["id"])
    # The default 15 minutes before, counted back from 09:00 on the day.
    assert {r["remind_at"] for r in reminders} == {"2031-07-01T06:45:00Z"}


async def test_search_text_is_matched_literally(api: httpx.AsyncClient) -> None:
    odd = await _create(api, title="Call O'Brien re: 50% off_sale \\ today")
    await _create(api, title="Call Smith")
    for q in ["O'Brien", "50%", "off_sale", "\\", "'; DROP TABLE event; --"]:
        found = (await api.get("/events", params={"q": q})).json()["items"]
        expected = [] if "DROP" in q else [odd["id"]]
        assert [e["id"] for e in found] == expected, q
    assert len((await api.get("/events")).json()["items"]) == 2
