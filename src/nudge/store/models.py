"""SQLAlchemy models: the single user's config, events and their reminders."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

USER_ID = 1
TITLE_MAX = 500
DESCRIPTION_MAX = 10_000
LOCATION_MAX = 500
DEFAULT_REMINDERS: list[dict[str, Any]] = [
    {"offset_minutes": 15, "channels": ["desktop", "telegram"]}
]


class Channel(enum.StrEnum):
    DESKTOP = "desktop"
    TELEGRAM = "telegram"


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    DELIVERING = "delivering"
    WAITING = "waiting"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    MISSED = "missed"


# Reminders that may still reach the user; editing or finishing an event cancels these.
LIVE_STATUSES = (
    ReminderStatus.PENDING,
    ReminderStatus.QUEUED,
    ReminderStatus.DELIVERING,
    ReminderStatus.WAITING,
)

Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    pass


class UserConfig(Base):
    __tablename__ = "user_config"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_user"),
        CheckConstraint("catchup_window_minutes >= 0", name="catchup_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_chat_id: Mapped[str | None] = mapped_column(Text)
    desktop_device_id: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text, server_default="UTC")
    default_reminders: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB,
        server_default=text(
            """'[{"offset_minutes": 15, "channels": ["desktop", "telegram"]}]'::jsonb"""
        ),
    )
    catchup_window_minutes: Mapped[int] = mapped_column(Integer, server_default="1440")
    # Language of the linked Telegram user ("en", "ru"), as last seen by the bot.
    telegram_language: Mapped[str | None] = mapped_column(Text)
    telegram_link_code: Mapped[str | None] = mapped_column(Text)
    telegram_link_code_expires_at: Mapped[datetime | None] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("end_time IS NULL OR end_time >= start_time", name="end_after_start"),
        CheckConstraint("char_length(title) BETWEEN 1 AND 500", name="title_length"),
        Index("ix_event_start_time", "start_time"),
        Index("ix_event_recurring", "start_time", postgresql_where=text("rrule IS NOT NULL")),
        Index(
            "ix_event_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
        Index(
            "ix_event_description_trgm",
            "description",
            postgresql_using="gin",
            postgresql_ops={"description": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_config.id"), server_default=str(USER_ID))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, server_default="")
    start_time: Mapped[datetime] = mapped_column(Timestamp)
    end_time: Mapped[datetime | None] = mapped_column(Timestamp)
    location: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text, server_default="UTC")
    all_day: Mapped[bool] = mapped_column(Boolean, server_default="false")
    rrule: Mapped[str | None] = mapped_column(Text)
    # none_as_null: "use the defaults" is SQL NULL, not the JSON value null.
    reminders: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB(none_as_null=True))
    is_completed: Mapped[bool] = mapped_column(Boolean, server_default="false")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    # Latest occurrence start whose reminders exist (recurring events only); the
    # dispatcher materializes the next occurrence once this one has passed.
    materialized_through: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Reminder(Base):
    __tablename__ = "reminder"
    __table_args__ = (
        CheckConstraint("notification_type IN ('desktop', 'telegram')", name="known_channel"),
        CheckConstraint(
            "status IN ('pending','queued','delivering','waiting','sent','failed',"
            "'cancelled','missed')",
            name="known_status",
        ),
        Index("ix_reminder_pending_due", "remind_at", postgresql_where=text("status = 'pending'")),
        Index(
            "ix_reminder_in_flight",
            "status",
            "remind_at",
            postgresql_where=text("status IN ('queued', 'delivering')"),
        ),
        Index(
            "ix_reminder_waiting",
            "notification_type",
            "remind_at",
            postgresql_where=text("status = 'waiting'"),
        ),
        Index("ix_reminder_event", "event_id"),
        # One reminder per point and event version, so concurrent materializers of a
        # recurring event's next occurrence cannot write it twice.
        Index(
            "uq_reminder_point",
            "event_id",
            "version",
            "occurrence_start",
            "offset_minutes",
            "notification_type",
            unique=True,
            postgresql_where=text("offset_minutes IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_config.id"), server_default=str(USER_ID))
    remind_at: Mapped[datetime] = mapped_column(Timestamp)
    notification_type: Mapped[str] = mapped_column(Text)
    is_sent: Mapped[bool] = mapped_column(Boolean, server_default="false")
    occurrence_start: Mapped[datetime] = mapped_column(Timestamp)
    # Minutes before the occurrence; NULL for a snoozed reminder.
    offset_minutes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text, server_default=ReminderStatus.PENDING.value)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    queued_at: Mapped[datetime | None] = mapped_column(Timestamp)
    claimed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
