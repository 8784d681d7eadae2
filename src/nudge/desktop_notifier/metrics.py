"""Prometheus metrics of the desktop notifier (``GET /metrics`` on the WebSocket port).

The ledger's own metrics (``nudge_reminders_delivered``, ``nudge_reminder_lateness_seconds``
measured at claim time, ``nudge_reminders_stale_dropped``) are in the same registry.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CONNECTIONS = Gauge("nudge_desktop_connections", "Open desktop WebSocket connections")
CONNECTS = Counter(
    "nudge_desktop_connects",
    "WebSocket connection attempts by outcome",
    ["outcome"],  # accepted | bad_token | unknown_device
)
CLOSED_BY_SERVER = Counter(
    "nudge_desktop_closed_by_server",
    "Connections the server closed because of what the client sent",
    ["reason"],  # binary | malformed_json | unknown_frame
)
PUSHES = Counter(
    "nudge_desktop_pushes",
    "Reminder frames written to WebSocket connections",
    ["source"],  # queue | waiting | forwarded
)
ACKS = Counter(
    "nudge_desktop_acks", "Acks received from desktop clients", ["kind"]
)  # on_time | late
WAITING = Counter(
    "nudge_desktop_waiting",
    "Reminders set to waiting",
    ["reason"],  # offline | no_ack
)
REDELIVERIES = Counter(
    "nudge_desktop_redeliveries",
    "Reminders delivered again",
    # amqp_redelivered | orphan_reclaimed | waiting_pushed
    ["kind"],
)
FORWARDED = Counter(
    "nudge_desktop_forwarded",
    "Reminders published to the device exchange for another notifier instance",
    ["outcome"],  # routed | unroutable
)
LATENESS = Histogram(
    "nudge_desktop_push_lateness_seconds",
    "Time of the push to the WebSocket minus remind_at",
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
ACK_SECONDS = Histogram(
    "nudge_desktop_ack_seconds",
    "Time from the push to the client's ack",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
