"""Sending reminder messages within Telegram's limits.

- About one message per second to a chat and 30 per second overall
  (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
  :class:`RateLimiter` spaces the sends.
- 429 Too Many Requests: wait ``retry_after`` (every send waits, the limit is the
  bot's) and try again, a bounded number of times.
- 403 Forbidden (the user blocked the bot) and 400 Bad Request (chat not found, …):
  :class:`SendFailed` with ``permanent=True``; retrying cannot help.
- Network errors, timeouts and 5xx: bounded retries with exponential backoff (tenacity),
  then :class:`SendFailed` with ``permanent=False`` so the caller can hand the reminder
  back for a later attempt instead of losing it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

log = logging.getLogger("nudge.telegram.sender")

# python-telegram-bot 22 warns on every read of RetryAfter.retry_after (and on creating
# one) unless time periods are opted in as timedelta; this module handles both.
os.environ.setdefault("PTB_TIMEDELTA", "true")


class SendFailed(Exception):
    """The message was not sent. ``permanent``: retrying later will not help either."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class RateLimiter:
    """At most ``per_second`` sends overall and one per ``per_chat_interval`` to a chat;
    :meth:`pause` holds every send back (after a 429)."""

    def __init__(self, per_second: int = 30, per_chat_interval: float = 1.0) -> None:
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        self._recent: deque[float] = deque()
        self._next_for_chat: dict[int | str, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    async def acquire(self, chat_id: int | str) -> None:
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                while self._recent and self._recent[0] <= now - 1.0:
                    self._recent.popleft()
                ready_at = max(self._paused_until, self._next_for_chat.get(chat_id, 0.0))
                if len(self._recent) >= self.per_second:
                    ready_at = max(ready_at, self._recent[0] + 1.0)
                if ready_at <= now:
                    break
                await asyncio.sleep(ready_at - now)
            self._recent.append(now)
            self._next_for_chat[chat_id] = now + self.per_chat_interval
            if len(self._next_for_chat) > 10_000:  # forget chats that are long ready
                self._next_for_chat = {
                    chat: at for chat, at in self._next_for_chat.items() if at > now
                }


@dataclass
class SendPolicy:
    network_attempts: int = 5  # tries for network errors and 5xx
    backoff_initial: float = 0.5  # seconds, doubling, with jitter
    backoff_max: float = 30.0
    flood_retries: int = 5  # 429s in a row before giving the message back
    max_retry_after: float = 300.0  # a longer retry_after gives the message back at once


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


class TelegramSender:
    def __init__(
        self,
        bot: Bot,
        limiter: RateLimiter | None = None,
        policy: SendPolicy | None = None,
    ) -> None:
        self.bot = bot
        self.limiter = limiter or RateLimiter()
        self.policy = policy or SendPolicy()

    async def send(
        self, chat_id: int | str, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> int:
        """Send an HTML message; returns its Telegram message id or raises SendFailed."""
        policy = self.policy
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(policy.network_attempts),
                wait=wait_exponential_jitter(
                    multiplier=policy.backoff_initial,
                    max=policy.backoff_max,
                    jitter=policy.backoff_initial,
                ),
                retry=retry_if_exception(_transient),
                reraise=True,
                before_sleep=lambda state: log.warning(
                    "send to chat %s failed (%s), retrying",
                    chat_id,
                    state.outcome.exception() if state.outcome else "?",
                ),
            ):
                with attempt:
                    return await self._send_through_floods(chat_id, text, reply_markup)
        except Forbidden as exc:
            raise SendFailed(f"forbidden: {exc.message}", permanent=True) from exc
        except (BadRequest, ChatMigrated) as exc:
            raise SendFailed(f"bad request: {exc.message}", permanent=True) from exc
        except InvalidToken as exc:
            raise SendFailed(f"invalid bot token: {exc.message}", permanent=False) from exc
        except TelegramError as exc:
            raise SendFailed(
                f"{type(exc).__name__} after {policy.network_attempts} attempts: {exc.message}",
                permanent=False,
            ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_through_floods(
        self, chat_id: int | str, text: str, reply_markup: InlineKeyboardMarkup | None
    ) -> int:
        for _ in range(self.policy.flood_retries + 1):
            await self.limiter.acquire(chat_id)
            try:
                message = await self.bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=reply_markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except RetryAfter as exc:
                delay = _seconds(exc.retry_after)
                if delay > self.policy.max_retry_after:
                    raise SendFailed(f"rate limited for {delay:.0f}s", permanent=False) from exc
                log.warning("Telegram asks to wait %.1fs before sending again", delay)
                self.limiter.pause(delay)
                continue
            return message.message_id
        raise SendFailed(
            f"still rate limited after {self.policy.flood_retries} waits", permanent=False
        )
