"""Recurring events: materialize the next occurrence's reminders as occurrences pass.

(Placeholder until nudge.domain.recurrence lands.)
"""

from __future__ import annotations

from datetime import timedelta

from nudge.store.db import SessionFactory


async def materialize_due(session_factory: SessionFactory, *, ahead: timedelta) -> int:
    return 0
