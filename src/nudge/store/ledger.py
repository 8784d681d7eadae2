"""The delivery ledger: the one place that claims and settles reminder deliveries.

Both notifier services use it. A RabbitMQ message is only a wake-up call; the
``reminder`` row decides. A notifier first :func:`claim`\\ s the reminder (one
conditional UPDATE); ``None`` means the message is stale (the event was edited,
deleted or finished, so the row was cancelled or re-versioned) or another consumer
has it: ack and drop. After delivering it settles the claim with :func:`mark_sent`,
:func:`mark_waiting` (desktop offline), :func:`mark_failed` or :func:`release`, and
only then acks the message.

Status flow handled here::

    queued ─┐
    pending (due) ─┼─ claim ─▶ delivering ─▶ sent | waiting | failed | queued (release)
    delivering (lease expired) ─┘              waiting ─▶ sent | failed

``pending`` is accepted once due because a message published with zero delay may
overtake the dispatcher's commit (DESIGN.md, "Mind the ordering").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import RowMapping

from nudge.bus.metrics import DELIVERED, LATENESS, STALE_DROPPED
from nudge.bus.schema import ReminderMessage
from nudge.store.db import SessionFactory
from nudge.store.models import Channel, ReminderStatus

DEFAULT_LEASE = timedelta(minutes=2)
DEFAULT_MAX_ATTEMPTS = 5
LATE_AFTER = timedelta(minutes=1)
# A message may arrive a little before remind_at (the native backend aims the hops
# slightly early); a pending row is still accepted within this tolerance.
EARLY_TOLERANCE = timedelta(seconds=2)

# Claims and settlements are single conditional UPDATEs, atomic on their own: run
# them without BEGIN/COMMIT, one round trip to PostgreSQL instead of three (this is
# per message on the notifiers' hot path).
_ONE_STATEMENT = {"isolation_level": "AUTOCOMMIT"}

# Columns ClaimedReminder.from_row reads; aliases r (reminder), e (event), u (user_config);
# needs the :late_after parameter.
MESSAGE_COLUMNS = """
    r.id, r.version, r.event_id, r.remind_at, r.occurrence_start, r.notification_type,
    r.attempts, r.status, r.claimed_at, r.telegram_message_id,
    e.title, e.description, e.location, e.timezone,
    u.telegram_chat_id, u.desktop_device_id,
    (now() - r.remind_at) > CAST(:late_after AS interval) AS late
"""

# Which rows a claim may take: queued; pending once due (its message can overtake the
# dispatcher's commit); delivering whose claimer's lease has run out. One rule for the
# single and the batched claim.
_CLAIMABLE = """(r.status = 'queued'
           OR (r.status = 'pending' AND r.remind_at <= now() + CAST(:early AS interval))
           OR (r.status = 'delivering' AND r.claimed_at < now() - CAST(:lease AS interval)))"""

_CLAIM = text(
    f"""
    UPDATE reminder AS r
    SET status = 'delivering', claimed_at = now(), attempts = r.attempts + 1
    FROM event AS e, user_config AS u
    WHERE r.id = :id AND r.version = :version
      AND e.id = r.event_id AND u.id = r.user_id
      AND {_CLAIMABLE}
    RETURNING {MESSAGE_COLUMNS}
    """
)

_WAITING = text(
    f"""
    SELECT {MESSAGE_COLUMNS}
    FROM reminder AS r JOIN event AS e ON e.id = r.event_id
    JOIN user_config AS u ON u.id = r.user_id
    WHERE r.status = 'waiting' AND r.notification_type = :channel
    ORDER BY r.remind_at
    LIMIT :limit
    """
)


@dataclass(frozen=True)
class ClaimedReminder:
    """Everything a notifier needs to deliver one reminder."""

    reminder_id: int
    version: int
    event_id: int
    channel: Channel
    status: ReminderStatus
    event_title: str
    event_description: str
    event_location: str | None
    event_timezone: str
    # Both in the event's own time zone.
    event_start: datetime
    remind_at: datetime
    telegram_chat_id: str | None
    desktop_device_id: str | None
    attempts: int
    claimed_at: datetime | None
    telegram_message_id: str | None
    # Delivered more than a minute after remind_at.
    late: bool

    @classmethod
    def from_row(cls, row: RowMapping) -> ClaimedReminder:
        zone = ZoneInfo(row["timezone"])
        return cls(
            reminder_id=row["id"],
            version=row["version"],
            event_id=row["event_id"],
            channel=Channel(row["notification_type"]),
            status=ReminderStatus(row["status"]),
            event_title=row["title"],
            event_description=row["description"],
            event_location=row["location"],
            event_timezone=row["timezone"],
            event_start=row["occurrence_start"].astimezone(zone),
            remind_at=row["remind_at"].astimezone(zone),
            telegram_chat_id=row["telegram_chat_id"],
            desktop_device_id=row["desktop_device_id"],
            attempts=row["attempts"],
            claimed_at=row["claimed_at"],
            telegram_message_id=row["telegram_message_id"],
            late=bool(row["late"]),
        )

    def to_message(self) -> ReminderMessage:
        return ReminderMessage(
            reminder_id=self.reminder_id,
            version=self.version,
            event_id=self.event_id,
            event_title=self.event_title,
            event_description=self.event_description,
            event_start=self.event_start,
            remind_at=self.remind_at,
            target_type=self.channel,
            telegram_chat_id=self.telegram_chat_id,
            desktop_device_id=self.desktop_device_id,
            event_location=self.event_location,
            late=self.late,
        )


async def claim(
    session_factory: SessionFactory,
    reminder_id: int,
    version: int,
    lease: timedelta = DEFAULT_LEASE,
) -> ClaimedReminder | None:
    """Take reminder ``reminder_id`` at ``version`` for delivery.

    ``None``: stale (edited, deleted, finished, already settled) or held by another
    consumer whose ``lease`` has not expired: ack the message and drop it.
    """
    async with session_factory() as session:
        connection = await session.connection(execution_options=_ONE_STATEMENT)
        row = (
            (
                await connection.execute(
                    _CLAIM,
                    {
                        "id": reminder_id,
                        "version": version,
                        "lease": lease,
                        "early": EARLY_TOLERANCE,
                        "late_after": LATE_AFTER,
                    },
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        STALE_DROPPED.inc()
        return None
    claimed = ClaimedReminder.from_row(row)
    if claimed.claimed_at is not None:
        LATENESS.observe(max(0.0, (claimed.claimed_at - claimed.remind_at).total_seconds()))
    return claimed


async def _settle(
    session_factory: SessionFactory, sql: str, params: dict[str, object]
) -> str | None:
    async with session_factory() as session:
        connection = await session.connection(execution_options=_ONE_STATEMENT)
        value = (await connection.execute(text(sql), params)).scalar_one_or_none()
    return None if value is None else str(value)


async def mark_sent(
    session_factory: SessionFactory,
    reminder_id: int,
    version: int,
    *,
    telegram_message_id: str | None = None,
) -> bool:
    """``delivering``/``waiting`` → ``sent``. False when the row was no longer ours
    (cancelled meanwhile, or settled by another consumer)."""
    channel = await _settle(
        session_factory,
        """
        UPDATE reminder
        SET status = 'sent', is_sent = true, sent_at = now(), last_error = NULL,
            telegram_message_id = COALESCE(:message_id, telegram_message_id)
        WHERE id = :id AND version = :version AND status IN ('delivering', 'waiting')
        RETURNING notification_type
        """,
        {"id": reminder_id, "version": version, "message_id": telegram_message_id},
    )
    if channel is None:
        return False
    DELIVERED.labels(channel).inc()
    return True


async def mark_waiting(session_factory: SessionFactory, reminder_id: int, version: int) -> bool:
    """``delivering`` → ``waiting``: the desktop device is offline; pushed on reconnect."""
    return (
        await _settle(
            session_factory,
            """
            UPDATE reminder SET status = 'waiting'
            WHERE id = :id AND version = :version AND status = 'delivering'
            RETURNING status
            """,
            {"id": reminder_id, "version": version},
        )
        is not None
    )


async def mark_failed(
    session_factory: SessionFactory, reminder_id: int, version: int, reason: str
) -> bool:
    """``delivering``/``waiting`` → ``failed`` with ``reason`` (e.g. the chat blocked the bot)."""
    return (
        await _settle(
            session_factory,
            """
            UPDATE reminder SET status = 'failed', last_error = :reason
            WHERE id = :id AND version = :version AND status IN ('delivering', 'waiting')
            RETURNING status
            """,
            {"id": reminder_id, "version": version, "reason": reason[:2000]},
        )
        is not None
    )


async def release(
    session_factory: SessionFactory,
    reminder_id: int,
    version: int,
    error: str,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> ReminderStatus | None:
    """Give a claim back after a transient error: ``delivering`` → ``queued``, which
    the sweeper publishes again after its grace period; or → ``failed`` once
    ``max_attempts`` claims have failed. None when the row was no longer ours."""
    status = await _settle(
        session_factory,
        """
        UPDATE reminder
        SET status = CASE WHEN attempts >= :max_attempts THEN 'failed' ELSE 'queued' END,
            queued_at = now(), last_error = :error
        WHERE id = :id AND version = :version AND status = 'delivering'
        RETURNING status
        """,
        {
            "id": reminder_id,
            "version": version,
            "error": error[:2000],
            "max_attempts": max_attempts,
        },
    )
    return None if status is None else ReminderStatus(status)


async def waiting_reminders(
    session_factory: SessionFactory, channel: Channel = Channel.DESKTOP, limit: int = 1000
) -> list[ClaimedReminder]:
    """Reminders in ``waiting`` for ``channel``, oldest first (pushed on reconnect)."""
    async with session_factory() as session:
        rows = (
            await session.execute(
                _WAITING, {"channel": channel.value, "limit": limit, "late_after": LATE_AFTER}
            )
        ).mappings()
        return [ClaimedReminder.from_row(row) for row in rows]


# -- batched forms (one round trip for many reminders; a notifier under a burst) ----

_CLAIM_MANY = text(
    f"""
    UPDATE reminder AS r
    SET status = 'delivering', claimed_at = now(), attempts = r.attempts + 1
    FROM event AS e, user_config AS u,
         unnest(CAST(:ids AS bigint[]), CAST(:versions AS integer[])) AS k(id, version)
    WHERE r.id = k.id AND r.version = k.version
      AND e.id = r.event_id AND u.id = r.user_id
      AND {_CLAIMABLE}
    RETURNING {MESSAGE_COLUMNS}
    """
)

_MARK_SENT_MANY = text(
    """
    UPDATE reminder AS r
    SET status = 'sent', is_sent = true, sent_at = now(), last_error = NULL
    FROM unnest(CAST(:ids AS bigint[]), CAST(:versions AS integer[])) AS k(id, version)
    WHERE r.id = k.id AND r.version = k.version AND r.status IN ('delivering', 'waiting')
    RETURNING r.id, r.version, r.notification_type
    """
)


def _distinct(pairs: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Ids and versions of the distinct ``pairs`` (a row matches one version only)."""
    unique = list(dict.fromkeys(pairs))
    return [p[0] for p in unique], [p[1] for p in unique]


async def claim_many(
    session_factory: SessionFactory,
    pairs: list[tuple[int, int]],
    lease: timedelta = DEFAULT_LEASE,
) -> dict[int, ClaimedReminder]:
    """:func:`claim` for many ``(reminder_id, version)`` pairs in one UPDATE.

    Returns the claimed ones by reminder id; a pair missing from the result is stale
    or taken, exactly as :func:`claim` returning ``None``. A pair given twice is
    claimed once: the caller must hand the claim to one of its requesters only.
    """
    if not pairs:
        return {}
    ids, versions = _distinct(pairs)
    async with session_factory() as session:
        connection = await session.connection(execution_options=_ONE_STATEMENT)
        rows = (
            await connection.execute(
                _CLAIM_MANY,
                {
                    "ids": ids,
                    "versions": versions,
                    "lease": lease,
                    "early": EARLY_TOLERANCE,
                    "late_after": LATE_AFTER,
                },
            )
        ).mappings()
        claimed = {row["id"]: ClaimedReminder.from_row(row) for row in rows}
    for _ in range(len(pairs) - len(claimed)):
        STALE_DROPPED.inc()
    for item in claimed.values():
        if item.claimed_at is not None:
            LATENESS.observe(max(0.0, (item.claimed_at - item.remind_at).total_seconds()))
    return claimed


async def mark_sent_many(
    session_factory: SessionFactory, pairs: list[tuple[int, int]]
) -> set[tuple[int, int]]:
    """:func:`mark_sent` for many ``(reminder_id, version)`` pairs in one UPDATE
    (acks that arrive together). Returns the pairs that became ``sent``; the others
    were no longer ours."""
    if not pairs:
        return set()
    ids, versions = _distinct(pairs)
    async with session_factory() as session:
        connection = await session.connection(execution_options=_ONE_STATEMENT)
        rows = (await connection.execute(_MARK_SENT_MANY, {"ids": ids, "versions": versions})).all()
    for _, _, channel in rows:
        DELIVERED.labels(channel).inc()
    return {(int(reminder_id), int(version)) for reminder_id, version, _ in rows}
