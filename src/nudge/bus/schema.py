"""The reminder message: RabbitMQ body and WebSocket frame (docs/api.md).

A message is only a wake-up call; the ``reminder`` row decides whether it is still
current (see :mod:`nudge.store.ledger`). ``reminder_id`` + ``version`` identify it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from nudge.store.models import Channel


class ReminderMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    type: Literal["reminder"] = "reminder"
    reminder_id: int
    version: int
    event_id: int
    event_title: str
    event_description: str = ""
    # Both in the event's own time zone.
    event_start: AwareDatetime
    remind_at: AwareDatetime
    target_type: Channel
    telegram_chat_id: str | None = None
    desktop_device_id: str | None = None
    event_location: str | None = None
    # Delivered more than a minute after remind_at (catch-up after an outage).
    late: bool = False

    def to_body(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_body(cls, body: bytes | str) -> ReminderMessage:
        return cls.model_validate_json(body)
