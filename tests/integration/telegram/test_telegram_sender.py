"""Sending within Telegram's limits, with the real python-telegram-bot against the fake
Bot API: 429 retry_after, 403 blocked, 5xx with bounded backoff, spacing, escaping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from nudge.bus.schema import ReminderMessage
from nudge.store.models import Channel
from nudge.telegram_bot.format import reminder_keyboard, render_reminder, zone
from nudge.telegram_bot.sender import RateLimiter, SendFailed, SendPolicy, TelegramSender
from tests.fakes.telegram_api import FakeTelegram

FAST = SendPolicy(network_attempts=3, backoff_initial=0.05, backoff_max=0.2)
NASTY_TITLE = "<b>Tom & Jerry</b> *bold* _it_ [link](x) `code` </i> &amp; a<b && c>d"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as client:
        yield client


def sender_for(bot: Bot, per_second: int = 30, per_chat: float = 0.0) -> TelegramSender:
    return TelegramSender(bot, RateLimiter(per_second, per_chat), FAST)


async def test_429_waits_retry_after_and_sends_once(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next(2, status=429, retry_after=1)
    started = datetime.now(UTC)
    message_id = await sender_for(bot).send(7, "hello")
    assert datetime.now(UTC) - started >= timedelta(seconds=1.9)
    sends = fake.calls_of("sendMessage")
    assert [c.status for c in sends] == [429, 429, 200]
    assert sends[1].at - sends[0].at >= 0.95  # waited retry_after between the tries
    assert [m.message_id for m in fake.bot_messages(7)] == [message_id]


async def test_403_blocked_fails_for_good_without_retrying(fake: FakeTelegram, bot: Bot) -> None:
    fake.block_chat(7)
    with pytest.raises(SendFailed) as failure:
        await sender_for(bot).send(7, "hello")
    assert failure.value.permanent
    assert "blocked" in failure.value.reason
    assert len(fake.calls_of("sendMessage")) == 1
    assert fake.bot_messages(7) == []


async def test_5xx_is_retried_with_backoff_then_succeeds(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next(2, status=502)
    await sender_for(bot).send(7, "hello")
    assert [c.status for c in fake.calls_of("sendMessage")] == [502, 502, 200]
    assert len(fake.bot_messages(7)) == 1


async def test_long_outage_gives_up_after_bounded_retries_as_transient(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.fail_next(100, status=500)
    with pytest.raises(SendFailed) as failure:
        await sender_for(bot).send(7, "hello")
    assert not failure.value.permanent  # the caller hands the reminder back, not lost
    assert len(fake.calls_of("sendMessage")) == FAST.network_attempts


async def test_unreachable_bot_api_is_transient(bot: Bot, fake: FakeTelegram) -> None:
    await fake.stop()
    with pytest.raises(SendFailed) as failure:
        await sender_for(bot).send(7, "hello")
    assert not failure.value.permanent


async def test_one_message_per_interval_per_chat(fake: FakeTelegram, bot: Bot) -> None:
    sender = sender_for(bot, per_chat=0.4)
    for n in range(3):
        await sender.send(7, f"m{n}")
    await sender.send(8, "other chat is not held back")
    sends = fake.calls_of("sendMessage")
    assert sends[1].at - sends[0].at >= 0.38
    assert sends[2].at - sends[1].at >= 0.38
    assert sends[3].at - sends[2].at < 0.3


async def test_overall_rate_is_capped(fake: FakeTelegram, bot: Bot) -> None:
    sender = sender_for(bot, per_second=4)
    for chat in range(6):
        await sender.send(100 + chat, "hi")
    sends = fake.calls_of("sendMessage")
    assert sends[4].at - sends[0].at >= 0.95  # the fifth waits for the one-second window


async def test_title_full_of_html_and_markdown_arrives_intact(fake: FakeTelegram, bot: Bot) -> None:
    now = datetime.now(UTC)
    message = ReminderMessage(
        reminder_id=1,
        version=1,
        event_id=2,
        event_title=NASTY_TITLE,
        event_description="desc with <tags> & *stars*",
        event_start=now + timedelta(minutes=15),
        remind_at=now,
        target_type=Channel.TELEGRAM,
        telegram_chat_id="7",
        event_location="<Main> & 1st",
    )
    text = render_reminder(message, zone("Europe/Berlin"), "en", now)
    await sender_for(bot).send(7, text, reminder_keyboard(1, 2, "en"))
    [sent] = fake.bot_messages(7)
    assert NASTY_TITLE in sent.text
    assert "desc with <tags> & *stars*" in sent.text
    assert "<Main> & 1st" in sent.text
    bold = [e for e in sent.entities if e["type"] == "bold"]
    assert [sent.text[e["offset"] : e["offset"] + e["length"]] for e in bold] == [NASTY_TITLE]


async def test_unescaped_html_is_refused_like_telegram_does(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(SendFailed) as failure:
        await sender_for(bot).send(7, "a < b & c")
    assert failure.value.permanent
    assert "can't parse entities" in failure.value.reason.lower()
