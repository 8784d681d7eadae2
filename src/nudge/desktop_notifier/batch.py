"""Coalescing ledger writes that many handlers ask for at about the same time.

Under a burst the notifier handles up to ``prefetch`` messages at once; each claim
and each ``sent`` would be one round trip to PostgreSQL. A :class:`Batcher` collects
the requests made while the previous batch is in flight and runs them as one
statement (:func:`nudge.store.ledger.claim_many`, :func:`~nudge.store.ledger.mark_sent_many`).
Each caller still awaits its own result, so the order "ledger write, then AMQP ack"
is unchanged; when the statement fails, every caller of that batch gets the error.
With a single request in flight it costs what the direct call costs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
R = TypeVar("R")

MAX_BATCH = 500


class Batcher(Generic[K, R]):
    """``await batcher.submit(key)`` → ``run([keys…])[i]`` for that key."""

    def __init__(
        self, run: Callable[[list[K]], Awaitable[list[R]]], max_batch: int = MAX_BATCH
    ) -> None:
        self._run = run
        self._max = max_batch
        self._queue: list[tuple[K, asyncio.Future[R]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, key: K) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((key, future))
        if self._worker is None:
            self._worker = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            # Let the handlers that are ready in this loop iteration join the first batch.
            await asyncio.sleep(0)
            while self._queue:
                batch, self._queue = self._queue[: self._max], self._queue[self._max :]
                try:
                    results = await self._run([key for key, _ in batch])
                except BaseException as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._worker = None
            for _, future in self._queue:
                if not future.done():
                    future.cancel()
            self._queue.clear()
