"""Delete every RabbitMQ exchange and queue whose name starts with a test prefix."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import aio_pika


def _names(kind: str) -> list[str]:
    out = subprocess.run(
        ["rabbitmqctl", "-q", "list_" + kind, "name", "--formatter", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [row["name"] for row in json.loads(out or "[]")]


async def drop(prefix: str, amqp_url: str) -> None:
    if not prefix:
        raise SystemExit("refusing to drop an empty prefix")
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in _names("queues"):
            if queue.startswith(prefix):
                await channel.queue_delete(queue)
        for exchange in _names("exchanges"):
            if exchange.startswith(prefix):
                await channel.exchange_delete(exchange)


if __name__ == "__main__":
    asyncio.run(drop(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "amqp://guest:guest@127.0.0.1:5672/"))
