"""``nudge desktop-notifier``: WebSocket delivery of desktop reminders.

- :mod:`.service` — ``main(settings)``: uvicorn + the queue consumer in one process;
- :mod:`.server` — ``/ws``, ``/healthz``, ``/metrics``; who may connect, what may be sent;
- :mod:`.hub` — this instance's connections by device, pushes and acks;
- :mod:`.consumer` — claim → push → settle through the delivery ledger, waiting reminders
  on connect;
- :mod:`.router` — scale-out: the per-instance queue on the device exchange;
- :mod:`.metrics` — Prometheus metrics.
"""
