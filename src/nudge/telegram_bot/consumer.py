"""Delivering reminders from ``q.notification.telegram`` as Telegram messages.

For each message: claim the reminder in the delivery ledger (stale or taken → drop),
render it in the user's time zone and language, send it with Snooze/Done buttons
through :class:`~nudge.telegram_bot.sender.TelegramSender`, then settle the claim:

- sent → ``mark_sent`` with the Telegram message id;
- permanent failure (the user blocked the bot, chat not found) → ``mark_failed``
  with the reason, never retried;
- transient failure (Bot API down, network, flood) after the sender's own bounded
  retries → ``release``: the row goes back to ``queued`` and the dispatcher's sweeper
  publishes it again later, until the ledger's attempt limit marks it ``failed``.

The RabbitMQ message is acknowledged only after this returns (see
:mod:`nudge.bus.consumer`), so a crash anywhere before the ledger write loses nothing:
the claim's lease expires and the sweeper publishes the reminder again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from nudge.bus.schema import ReminderMessage
from nudge.store import ledger
from nudge.store.db import SessionFactory
from nudge.store.models import Channel
from nudge.telegram_bot.api_client import ApiError, ApiUnavailable, Config, NudgeApi
from nudge.telegram_bot.format import reminder_keyboard, render_reminder, zone
from nudge.telegram_bot.sender import SendFailed, TelegramSender
from nudge.telegram_bot.texts import Lang, lang_of

log = logging.getLogger("nudge.telegram.consumer")

CONFIG_TTL = 60.0  # seconds the user's config (zone, language) is cached


class ReminderConsumer:
    def __init__(
        self,
        session_factory: SessionFactory,
        sender: TelegramSender,
        api: NudgeApi,
        language: Callable[[str], Lang | None],
        *,
        lease: timedelta = ledger.DEFAULT_LEASE,
        max_attempts: int = ledger.DEFAULT_MAX_ATTEMPTS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.session_factory = session_factory
        self.sender = sender
        self.api = api
        self.language = language
        self.lease = lease
        self.max_attempts = max_attempts
        self.now = now
        self._config: tuple[float, Config] | None = None

    async def _user_config(self) -> Config | None:
        """``GET /config`` (cached); None when the API cannot be reached, so an API
        outage does not hold reminders back."""
        if self._config is not None and time.monotonic() - self._config[0] < CONFIG_TTL:
            return self._config[1]
        try:
            config = await self.api.get_config()
        except (ApiUnavailable, ApiError) as exc:
            log.warning("cannot read the user's config (%s); using the event's zone", exc)
            return None
        self._config = (time.monotonic(), config)
        return config

    async def handle(self, message: ReminderMessage) -> None:
        if message.target_type != Channel.TELEGRAM:
            log.warning("dropping a %s reminder from the telegram queue", message.target_type)
            return
        claimed = await ledger.claim(
            self.session_factory, message.reminder_id, message.version, self.lease
        )
        if claimed is None:
            log.debug("reminder %s v%s is stale or taken", message.reminder_id, message.version)
            return
        rid, version = claimed.reminder_id, claimed.version
        chat_id = claimed.telegram_chat_id
        if not chat_id:
            await ledger.mark_failed(
                self.session_factory, rid, version, "no Telegram chat is linked"
            )
            return
        config = await self._user_config()
        tz = zone(config.timezone if config else claimed.event_timezone)
        stored = config.telegram_language if config else None
        lang = self.language(chat_id) or lang_of(stored)
        text = render_reminder(claimed.to_message(), tz, lang, self.now())
        markup = reminder_keyboard(rid, claimed.event_id, lang)
        try:
            message_id = await self.sender.send(chat_id, text, markup)
        except SendFailed as exc:
            if exc.permanent:
                log.warning("reminder %s failed for good: %s", rid, exc.reason)
                await ledger.mark_failed(self.session_factory, rid, version, exc.reason)
            else:
                status = await ledger.release(
                    self.session_factory, rid, version, exc.reason, max_attempts=self.max_attempts
                )
                log.warning("reminder %s not sent (%s); now %s", rid, exc.reason, status)
            return
        if not await ledger.mark_sent(
            self.session_factory, rid, version, telegram_message_id=str(message_id)
        ):
            log.info("reminder %s was settled elsewhere while being sent", rid)
        else:
            log.info("reminder %s sent to chat %s as message %s", rid, chat_id, message_id)
