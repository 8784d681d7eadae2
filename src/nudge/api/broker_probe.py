"""Readiness check of RabbitMQ: a short-lived AMQP connection."""

from __future__ import annotations

import asyncio

import aio_pika

PROBE_TIMEOUT_S = 3.0


class BrokerProbe:
    def __init__(self, amqp_url: str) -> None:
        self._url = amqp_url
        # Filled in by the embedded dispatcher once it has chosen a delay backend.
        self.backend_name: str | None = None

    async def reachable(self) -> bool:
        try:
            connection = await asyncio.wait_for(aio_pika.connect(self._url), PROBE_TIMEOUT_S)
        except (TimeoutError, OSError, aio_pika.exceptions.AMQPError):
            return False
        await connection.close()
        return True
