"""Reminder delivery through the whole pipeline: API → dispatcher → RabbitMQ → the bot's
consumer (claim in the ledger) → the fake Bot API; and the reminder's buttons."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update

from nudge.config import Settings
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store.db import SessionFactory
from nudge.store.models import Event, Reminder
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.integration.telegram.conftest import BotFactory
from tests.integration.telegram.telegram_support import ApiServer, RunningBot

NASTY = "<script>alert('x')</script> & *bold* _it_ `code` [a](b) </b> &amp;"


async def _event_due_in(
    api: ApiServer,
    title: str,
    seconds: float = 2,
    extra_offsets: tuple[int, ...] = (),
    **fields: Any,
) -> dict[str, Any]:
    """An event whose Telegram reminder (60 minutes before) is due in ``seconds``."""
    start = datetime.now(UTC) + timedelta(minutes=60, seconds=seconds)
    reminders = [{"offset_minutes": m, "channels": ["telegram"]} for m in (60, *extra_offsets)]
    response = await api.client.post(
        "/events",
        json={"title": title, "start_time": start.isoformat(), "reminders": reminders, **fields},
    )
    assert response.status_code == 201, response.text
    event: dict[str, Any] = response.json()
    return event


async def _reminders(db: SessionFactory, event_id: int) -> list[Reminder]:
    async with db() as session:
        rows = await session.execute(
            select(Reminder).where(Reminder.event_id == event_id).order_by(Reminder.id)
        )
        return list(rows.scalars())


async def _eventually(
    check: Callable[[], Awaitable[bool]], within: float = 20.0, what: str = "condition"
) -> None:
    """Re-check a database condition until it holds or the deadline passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_reminder_arrives_with_buttons_and_is_marked_sent(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer, db: SessionFactory
) -> None:
    event = await _event_due_in(
        api_server, "Dentist", description="Bring the X-ray", location="Main St 1"
    )
    message = await owner.expect_message("Dentist", within=20)
    assert "Bring the X-ray" in message.text and "📍 Main St 1" in message.text
    assert "late" not in message.text
    start = datetime.fromisoformat(event["start_time"]).astimezone(ZoneInfo("UTC"))
    assert f"{start:%H:%M}" in message.text  # the user's zone (UTC here)
    assert [label for label, _ in message.buttons] == [
        "💤 10 min",
        "💤 1 hour",
        "💤 Tomorrow 09:00",
        "✅ Done",
    ]

    async def sent() -> bool:
        [reminder] = await _reminders(db, event["id"])
        return reminder.status == "sent"

    await _eventually(sent, what="status sent")
    [reminder] = await _reminders(db, event["id"])
    assert reminder.telegram_message_id == str(message.message_id)
    assert reminder.is_sent and reminder.attempts == 1
    assert len([m for m in owner.received() if "Dentist" in m.text]) == 1


async def test_reminder_in_russian_after_the_user_spoke_russian(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    ru = fake_tg.user(owner.chat_id, language_code="ru")
    ru.send("/help")
    await ru.expect_message("ваши события")
    await _event_due_in(api_server, "Стоматолог")
    message = await ru.expect_message("Стоматолог", within=20)
    assert "💤 Завтра 09:00" in [label for label, _ in message.buttons]


async def test_language_survives_a_bot_restart(
    fake_tg: FakeTelegram,
    bot: RunningBot,
    start_bot: BotFactory,
    owner: FakeUser,
    api_server: ApiServer,
) -> None:
    """The chat spoke Russian; after a restart, before it speaks again, reminders are
    still in Russian because the language was stored."""
    ru = fake_tg.user(owner.chat_id, language_code="ru")
    ru.send("/help")
    await ru.expect_message("ваши события")
    await bot.halt()
    await start_bot()
    await _event_due_in(api_server, "Стоматолог")
    message = await ru.expect_message("Стоматолог", within=20)
    assert "💤 Завтра 09:00" in [label for label, _ in message.buttons]


async def test_the_chat_language_is_stored(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    fake_tg.user(owner.chat_id, language_code="ru").send("/help")

    async def stored() -> bool:
        config = (await api_server.client.get("/config")).json()
        return bool(config["telegram_language"] == "ru")

    await _eventually(stored, what="language stored")


async def test_late_reminder_says_how_late(
    fake_tg: FakeTelegram,
    owner: FakeUser,
    db: SessionFactory,
    dispatcher: DispatcherWakeup,
) -> None:
    now = datetime.now(UTC)
    async with db() as session, session.begin():
        event = Event(title="Missed call", start_time=now - timedelta(minutes=5))
        session.add(event)
        await session.flush()
        session.add(
            Reminder(
                event_id=event.id,
                remind_at=now - timedelta(minutes=5),
                occurrence_start=now - timedelta(minutes=5),
                offset_minutes=0,
                notification_type="telegram",
                status="pending",
                version=1,
            )
        )
    dispatcher.wake()
    message = await owner.expect_message("Missed call", within=20)
    assert "late by 5 min" in message.text


async def test_snooze_brings_the_reminder_back_later(
    fake_tg: FakeTelegram,
    owner: FakeUser,
    api_server: ApiServer,
    db: SessionFactory,
    dispatcher: DispatcherWakeup,
) -> None:
    event = await _event_due_in(api_server, "Stretch")
    first = await owner.expect_message("Stretch", within=20)
    pressed_at = datetime.now(UTC)
    query = owner.press(first, "10 min")
    answer = await owner.answer(query)
    assert "Snoozed until" in (answer.text or "")
    await owner.expect_edit(first, "Snoozed until")
    assert first.buttons == [] and "Stretch" in first.text

    reminders = await _reminders(db, event["id"])
    snoozed = [r for r in reminders if r.status == "pending"]
    assert len(snoozed) == 1
    delay = snoozed[0].remind_at - pressed_at
    assert timedelta(minutes=9) < delay < timedelta(minutes=11)

    # Ten minutes pass (moved in the source of truth rather than waited for).
    async with db() as session, session.begin():
        await session.execute(
            update(Reminder).where(Reminder.id == snoozed[0].id).values(remind_at=text("now()"))
        )
    dispatcher.wake()
    second = await owner.expect_message("Stretch", within=20)
    assert second.message_id != first.message_id

    owner.press(second, "Tomorrow")
    await owner.expect_edit(second, "Snoozed until tomorrow 09:00")
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    reminders = await _reminders(db, event["id"])
    [later] = [r for r in reminders if r.status == "pending"]
    assert later.remind_at == datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, tzinfo=UTC)


async def test_done_marks_the_event_done_and_cancels_its_other_reminders(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer, db: SessionFactory
) -> None:
    event = await _event_due_in(api_server, "Pay rent", extra_offsets=(15,))
    message = await owner.expect_message("Pay rent", within=20)
    query = owner.press(message, "Done")
    await owner.answer(query)
    await owner.expect_edit(message, "✅ Done")
    assert message.buttons == []
    assert (await api_server.client.get(f"/events/{event['id']}")).json()["is_completed"]
    statuses = sorted(r.status for r in await _reminders(db, event["id"]))
    assert statuses == ["cancelled", "sent"]


async def test_429_waits_and_delivers_once(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer, db: SessionFactory
) -> None:
    fake_tg.fail_next(2, status=429, retry_after=1)
    event = await _event_due_in(api_server, "Flood-limited")
    await owner.expect_message("Flood-limited", within=25)
    statuses = [c.status for c in fake_tg.calls_of("sendMessage") if c.params.get("chat_id")]
    assert statuses[-3:] == [429, 429, 200]

    async def sent() -> bool:
        return [r.status for r in await _reminders(db, event["id"])] == ["sent"]

    await _eventually(sent, what="status sent")
    assert len([m for m in owner.received() if "Flood-limited" in m.text]) == 1


async def test_403_blocked_marks_the_reminder_failed_without_retrying(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer, db: SessionFactory
) -> None:
    fake_tg.block_chat(owner.chat_id)
    calls_before = len(fake_tg.calls)
    event = await _event_due_in(api_server, "Blocked")

    async def failed() -> bool:
        return [r.status for r in await _reminders(db, event["id"])] == ["failed"]

    await _eventually(failed, what="status failed")
    [reminder] = await _reminders(db, event["id"])
    assert reminder.last_error is not None and "blocked" in reminder.last_error
    assert reminder.attempts == 1
    blocked_sends = [c for c in fake_tg.calls[calls_before:] if c.method == "sendMessage"]
    assert [c.status for c in blocked_sends] == [403]


async def test_title_full_of_html_and_markdown_arrives_intact(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    await _event_due_in(api_server, NASTY, description="5 < 6 && 7 > 3", location="<here>")
    message = await owner.expect_message("alert(", within=20)
    assert NASTY in message.text
    assert "5 < 6 && 7 > 3" in message.text and "📍 <here>" in message.text
    owner.send("/list")
    listing = await owner.expect_message("Upcoming events")
    assert NASTY in listing.text


async def test_killed_between_claim_and_send_delivers_after_restart_once(
    fake_tg: FakeTelegram,
    tg_settings: Settings,
    api_server: ApiServer,
    db: SessionFactory,
    dispatcher: DispatcherWakeup,
) -> None:
    assert (await api_server.client.put("/config/telegram/1001")).status_code == 200
    user = fake_tg.user(1001)
    env = {
        **os.environ,
        "NUDGE_DATABASE_URL": tg_settings.database_url,
        "NUDGE_AMQP_URL": tg_settings.amqp_url,
        "NUDGE_TOPOLOGY_PREFIX": tg_settings.topology_prefix,
        "NUDGE_DELAY_BACKEND": tg_settings.delay_backend,
        "NUDGE_TELEGRAM_TOKEN": fake_tg.token,
        "NUDGE_TELEGRAM_API_URL": fake_tg.base_url,
        "NUDGE_API_URL": api_server.url,
    }
    runner = Path(__file__).with_name("telegram_bot_process.py")
    processes: list[asyncio.subprocess.Process] = []

    async def start_process() -> asyncio.subprocess.Process:
        polls = len(fake_tg.calls_of("getUpdates"))
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(runner), env=env, stderr=asyncio.subprocess.DEVNULL
        )
        processes.append(process)
        await fake_tg.wait_until(
            lambda: len(fake_tg.calls_of("getUpdates")) > polls, 30, "the bot process to poll"
        )
        return process

    try:
        fake_tg.hold("sendMessage")
        first = await start_process()
        event = await _event_due_in(api_server, "Survives kill -9")
        await fake_tg.wait_until(lambda: fake_tg.held == 1, 30, "the send to be in flight")
        [reminder] = await _reminders(db, event["id"])
        assert reminder.status == "delivering"  # claimed, not sent

        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
        fake_tg.release("sendMessage", drop=True)  # the in-flight send never happened
        assert user.received() == []

        await start_process()
        await user.expect_message("Survives kill -9", within=40)

        async def sent() -> bool:
            return [r.status for r in await _reminders(db, event["id"])] == ["sent"]

        await _eventually(sent, what="status sent after the restart")
        [reminder] = await _reminders(db, event["id"])
        assert reminder.attempts == 2
        assert [m.text.count("Survives kill -9") for m in user.received()] == [1]
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 20)
                except TimeoutError:
                    process.kill()
                    await process.wait()
