"""Every invalid input is a 4xx that names the field, and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from nudge.store.db import SessionFactory
from nudge.store.models import Event, Reminder

START = "2031-05-01T15:00:00+00:00"
VALID: dict[str, Any] = {"title": "Dentist", "start_time": START}

EVENT_CASES: list[tuple[str, Any, str]] = [
    ("missing title", {"start_time": START}, "title"),
    ("empty title", VALID | {"title": "   "}, "title"),
    ("oversized title", VALID | {"title": "x" * 501}, "title"),
    ("title of wrong type", VALID | {"title": 5}, "title"),
    ("NUL in title", VALID | {"title": "a\x00b"}, "title"),
    ("oversized description", VALID | {"description": "x" * 10_001}, "description"),
    ("missing start", {"title": "Dentist"}, "start_time"),
    ("unparseable start", VALID | {"start_time": "next tuesday-ish"}, "start_time"),
    ("start out of range", VALID | {"start_time": "0001-01-01T00:00:00"}, "start_time"),
    ("start as a number", VALID | {"start_time": -1580}, "start_time"),
    ("end before start", VALID | {"end_time": "2031-05-01T14:00:00+00:00"}, "end_time"),
    ("naive end before start", VALID | {"end_time": "2031-05-01T14:00:00"}, "end_time"),
    ("unknown zone", VALID | {"timezone": "Mars/Olympus"}, "timezone"),
    ("path-like zone", VALID | {"timezone": "../../etc/passwd"}, "timezone"),
    ("invalid rrule", VALID | {"rrule": "FREQ=SOMETIMES"}, "rrule"),
    ("rrule garbage", VALID | {"rrule": "hello"}, "rrule"),
    (
        "negative offset",
        VALID | {"reminders": [{"offset_minutes": -5, "channels": ["desktop"]}]},
        "reminders.0.offset_minutes",
    ),
    (
        "huge offset",
        VALID | {"reminders": [{"offset_minutes": 10**9, "channels": ["desktop"]}]},
        "reminders.0.offset_minutes",
    ),
    (
        "unknown channel",
        VALID | {"reminders": [{"offset_minutes": 5, "channels": ["pigeon"]}]},
        "reminders.0.channels.0",
    ),
    (
        "no channel",
        VALID | {"reminders": [{"offset_minutes": 5, "channels": []}]},
        "reminders.0.channels",
    ),
    ("unknown field", VALID | {"colour": "red"}, "colour"),
    ("all_day as text", VALID | {"all_day": "yes"}, "all_day"),
    (
        "offset as a boolean",
        VALID | {"reminders": [{"offset_minutes": True, "channels": ["desktop"]}]},
        "reminders.0.offset_minutes",
    ),
    ("list instead of object", [VALID], "body"),
]


async def _counts(db: SessionFactory) -> tuple[int, int]:
    async with db() as session:
        events = await session.scalar(select(func.count()).select_from(Event))
        reminders = await session.scalar(select(func.count()).select_from(Reminder))
    return events or 0, reminders or 0


def _fields(response: httpx.Response) -> list[str]:
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return [e["field"] for e in body["errors"]]


@pytest.mark.parametrize(("case", "body", "field"), EVENT_CASES, ids=[c[0] for c in EVENT_CASES])
async def test_create_rejects_bad_event(
    linked_api: httpx.AsyncClient, db: SessionFactory, case: str, body: Any, field: str
) -> None:
    response = await linked_api.post("/events", json=body)
    assert response.status_code == 422, response.text
    assert field in _fields(response)
    assert await _counts(db) == (0, 0)


@pytest.mark.parametrize(("case", "body", "field"), EVENT_CASES, ids=[c[0] for c in EVENT_CASES])
async def test_replace_rejects_bad_event_and_keeps_the_old_one(
    linked_api: httpx.AsyncClient, db: SessionFactory, case: str, body: Any, field: str
) -> None:
    created = (await linked_api.post("/events", json=VALID)).json()
    before = await _counts(db)
    response = await linked_api.put(f"/events/{created['id']}", json=body)
    assert response.status_code == 422, response.text
    assert field in _fields(response)
    assert await _counts(db) == before
    assert (await linked_api.get(f"/events/{created['id']}")).json() == created


async def test_non_json_body(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/events", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert _fields(response) == ["body"]


async def test_patch_cannot_null_required_fields(api: httpx.AsyncClient) -> None:
    created = (await api.post("/events", json=VALID)).json()
    response = await api.patch(f"/events/{created['id']}", json={"title": None})
    assert response.status_code == 422
    assert _fields(response) == ["title"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/events/999"),
        ("PUT", "/events/999"),
        ("PATCH", "/events/999"),
        ("DELETE", "/events/999"),
        ("POST", "/events/999/done"),
        ("GET", "/events/999/reminders"),
        ("POST", "/reminders/999/snooze"),
    ],
)
async def test_unknown_ids_are_404(api: httpx.AsyncClient, method: str, path: str) -> None:
    body = {"minutes": 5} if "snooze" in path else VALID
    response = await api.request(method, path, json=body)
    assert response.status_code == 404
    assert "999" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/events/abc", "/events/0", "/events/99999999999999999999999"])
async def test_malformed_ids_name_the_path_field(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(path)
    assert response.status_code == 422
    assert _fields(response) == ["event_id"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 10_000}, "limit"),
        ({"from": "yesterday"}, "from"),
        ({"from": "0"}, "from"),
        ({"from": "2031-01-02T00:00:00", "to": "2031-01-01T00:00:00"}, "to"),
        ({"cursor": "bm9wZQ"}, "cursor"),
        ({"completed": "maybe"}, "completed"),
    ],
)
async def test_bad_list_parameters(
    api: httpx.AsyncClient, params: dict[str, Any], field: str
) -> None:
    response = await api.get("/events", params=params)
    assert response.status_code == 422
    assert field in _fields(response)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 5, "until": "2031-01-01T00:00:00"}, "minutes"),
        ({"until": "2001-01-01T00:00:00"}, "until"),
    ],
)
async def test_bad_snooze(linked_api: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    created = (await linked_api.post("/events", json=VALID)).json()
    reminder = (await linked_api.get(f"/events/{created['id']}/reminders")).json()[0]
    response = await linked_api.post(f"/reminders/{reminder['id']}/snooze", json=body)
    assert response.status_code == 422, response.text
    assert field in _fields(response)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"catchup_window_minutes": -1}, "catchup_window_minutes"),
        ({"catchup_window_minutes": True}, "catchup_window_minutes"),
        ({"default_reminders": [{"offset_minutes": 5}]}, "default_reminders.0.channels"),
    ],
)
async def test_bad_config_patch(api: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    response = await api.patch("/config", json=body)
    assert response.status_code == 422
    assert field in _fields(response)
    assert (await api.get("/config")).json()["timezone"] == "UTC"


@pytest.mark.parametrize(
    ("path", "field"),
    [("/config/telegram/not-a-chat", "chat_id"), ("/config/desktop/has%20space", "device_id")],
)
async def test_bad_link_ids(api: httpx.AsyncClient, path: str, field: str) -> None:
    response = await api.put(path)
    assert response.status_code == 422
    assert _fields(response) == [field]


async def test_parse_without_date_names_text(api: httpx.AsyncClient) -> None:
    response = await api.post("/parse", json={"text": "just some words"})
    assert response.status_code == 422
    assert _fields(response) == ["text"]


async def test_misspelt_query_parameter_is_named(api: httpx.AsyncClient) -> None:
    response = await api.get("/events", params={"form": "2031-01-01T00:00:00"})
    assert response.status_code == 422
    assert _fields(response) == ["form"]


async def test_repeated_query_parameter_is_named(api: httpx.AsyncClient) -> None:
    response = await api.get("/events", params=[("q", "dentist"), ("q", "mom")])
    assert response.status_code == 422
    assert _fields(response) == ["q"]
