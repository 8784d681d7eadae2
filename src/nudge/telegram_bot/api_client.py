"""A typed httpx client for the nudge REST API (docs/api.md), as the bot uses it.

Every non-2xx answer becomes :class:`ApiError` carrying the status, ``detail`` and the
``errors`` list (field + message) of the API's error body, so handlers can turn it into
a friendly message. Transport failures become :class:`ApiUnavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Config(_Model):
    telegram_chat_id: str | None = None
    desktop_device_id: str | None = None
    timezone: str = "UTC"
    telegram_language: str | None = None
    telegram_linked: bool = False


class Event(_Model):
    id: int
    title: str
    description: str = ""
    start_time: datetime
    end_time: datetime | None = None
    location: str | None = None
    timezone: str = "UTC"
    all_day: bool = False
    rrule: str | None = None
    is_completed: bool = False
    version: int = 1
    next_reminder_at: datetime | None = None
    occurrence_start: datetime | None = None

    @property
    def when(self) -> datetime:
        """The start of this occurrence (or of the event, when not expanded)."""
        return self.occurrence_start or self.start_time


class EventPage(_Model):
    items: list[Event]
    next_cursor: str | None = None


class Proposal(_Model):
    """``POST /parse``: a proposed event, nothing saved."""

    title: str
    start_time: datetime
    timezone: str
    all_day: bool = False


class Reminder(_Model):
    id: int
    event_id: int
    remind_at: datetime
    notification_type: str
    status: str
    version: int


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ApiError(Exception):
    """The API answered with an error status."""

    def __init__(self, status: int, detail: str, errors: list[FieldError]) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.errors = errors

    def has_field(self, name: str) -> bool:
        return any(e.field == name or e.field.startswith(f"{name}.") for e in self.errors)


class ApiUnavailable(Exception):
    """The API could not be reached (connection refused, timeout, …)."""


class NudgeApi:
    """The REST calls the bot makes. Use as an async context manager or call ``aclose``."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> NudgeApi:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        try:
            response = await self._client.request(method, path, json=json, params=params)
        except httpx.HTTPError as exc:
            raise ApiUnavailable(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc
        if response.is_success:
            return response.json() if response.content else None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        errors = [
            FieldError(str(e.get("field", "")), str(e.get("message", "")))
            for e in body.get("errors") or []
            if isinstance(e, dict)
        ]
        detail = str(body.get("detail") or response.reason_phrase or response.status_code)
        if response.status_code >= 500:
            raise ApiUnavailable(f"{method} {path}: {response.status_code} {detail}")
        raise ApiError(response.status_code, detail, errors)

    # --- config ---------------------------------------------------------------------

    async def get_config(self) -> Config:
        return Config.model_validate(await self._request("GET", "/config"))

    async def patch_config(self, **changes: Any) -> Config:
        return Config.model_validate(await self._request("PATCH", "/config", json=changes))

    async def link_telegram(self, chat_id: int | str, code: str | None = None) -> Config:
        body = {"code": code} if code is not None else None
        return Config.model_validate(
            await self._request("PUT", f"/config/telegram/{chat_id}", json=body)
        )

    # --- events ---------------------------------------------------------------------

    async def parse(self, text: str) -> Proposal:
        return Proposal.model_validate(await self._request("POST", "/parse", json={"text": text}))

    async def create_event(self, body: dict[str, Any]) -> Event:
        return Event.model_validate(await self._request("POST", "/events", json=body))

    async def get_event(self, event_id: int) -> Event:
        return Event.model_validate(await self._request("GET", f"/events/{event_id}"))

    async def patch_event(self, event_id: int, **changes: Any) -> Event:
        return Event.model_validate(
            await self._request("PATCH", f"/events/{event_id}", json=changes)
        )

    async def delete_event(self, event_id: int) -> None:
        await self._request("DELETE", f"/events/{event_id}")

    async def done_event(self, event_id: int) -> Event:
        return Event.model_validate(await self._request("POST", f"/events/{event_id}/done"))

    async def upcoming(self, now: datetime, limit: int = 10) -> list[Event]:
        params = {"from": now.isoformat(), "limit": str(limit), "completed": "false"}
        page = EventPage.model_validate(await self._request("GET", "/events", params=params))
        return page.items

    async def event_reminders(self, event_id: int) -> list[Reminder]:
        data = await self._request("GET", f"/events/{event_id}/reminders")
        return [Reminder.model_validate(item) for item in data]

    async def snooze(
        self, reminder_id: int, *, minutes: int | None = None, until: datetime | None = None
    ) -> Reminder:
        body: dict[str, Any] = {"minutes": minutes} if minutes is not None else {}
        if until is not None:
            body["until"] = until.isoformat()
        return Reminder.model_validate(
            await self._request("POST", f"/reminders/{reminder_id}/snooze", json=body)
        )
