"""Prometheus metrics of the reminder pipeline (exposed by ``GET /metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PUBLISHED = Counter(
    "nudge_reminders_published", "Reminder messages published to RabbitMQ", ["backend"]
)
DELIVERED = Counter("nudge_reminders_delivered", "Reminders marked sent by a notifier", ["channel"])
STALE_DROPPED = Counter(
    "nudge_reminders_stale_dropped",
    "Messages whose reminder was edited, finished or already taken (claim found no row)",
)
SWEPT = Counter(
    "nudge_reminders_swept",
    "Reminders republished by the sweeper",
    ["reason"],  # queued_overdue | lease_expired
)
MISSED = Counter("nudge_reminders_missed", "Reminders older than the catch-up window")
LATENESS = Histogram(
    "nudge_reminder_lateness_seconds",
    "Claim time minus remind_at",
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
