"""Linking: private by default (DESIGN.md, Telegram bot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nudge.store.db import SessionFactory
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.integration.telegram.telegram_support import ApiServer, RunningBot, set_link_code

SECRET = "Secret appointment with Dr. Who"


async def _linked_chat(api_server: ApiServer) -> str | None:
    chat: str | None = (await api_server.client.get("/config")).json()["telegram_chat_id"]
    return chat


async def test_first_start_links_the_chat(
    fake_tg: FakeTelegram, bot: RunningBot, api_server: ApiServer
) -> None:
    user = fake_tg.user(1001, language_code="en")
    user.send("/start")
    reply = await user.expect_message("linked")
    assert "Reminders will arrive here" in reply.text
    assert await _linked_chat(api_server) == "1001"

    user.send("/start")
    await user.expect_message("already linked")
    assert await _linked_chat(api_server) == "1001"


async def test_first_start_in_russian(fake_tg: FakeTelegram, bot: RunningBot) -> None:
    user = fake_tg.user(1002, language_code="ru")
    user.send("/start")
    await user.expect_message("Этот чат подключён к nudge")


async def test_second_chat_is_refused_and_learns_nothing(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    start = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    created = await api_server.client.post("/events", json={"title": SECRET, "start_time": start})
    assert created.status_code == 201
    event_id = created.json()["id"]

    stranger = fake_tg.user(2002, language_code="en")
    for command in (
        "/start",
        "/list",
        "/help",
        f"/done {event_id}",
        f"/delete {event_id}",
        f"/edit {event_id} title pwned",
        "/create stolen tomorrow 10:00",
        "/settings UTC",
        "hello?",
    ):
        stranger.send(command)
        reply = await stranger.expect_message()
        assert "private" in reply.text, (command, reply.text)

    stranger.send("/link")
    assert "/link CODE" in (await stranger.expect_message()).text

    # A button press with forged data under a message in its own chat: refused.
    forged = stranger.received()[0]
    forged_query = fake_tg.inject_callback(forged, f"ld:{event_id}", user_id=2002)
    answer = await fake_tg.wait_for_answer(forged_query)
    assert answer.show_alert and "private" in (answer.text or "")

    assert all("Secret" not in m.text for m in stranger.received())
    event = (await api_server.client.get(f"/events/{event_id}")).json()
    assert event["title"] == SECRET and not event["is_completed"]
    assert await _linked_chat(api_server) == str(owner.chat_id)


async def test_link_with_a_valid_code_moves_the_chat(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    code = (await api_server.client.post("/config/telegram/link-code")).json()["code"]
    newcomer = fake_tg.user(3003, language_code="ru")
    newcomer.send(f"/link {code}")
    await newcomer.expect_message("подключён")
    assert await _linked_chat(api_server) == "3003"

    newcomer.send("/help")
    await newcomer.expect_message("/create")
    owner.send("/list")
    await owner.expect_message("private")


async def test_link_with_an_expired_code_is_refused(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer, db: SessionFactory
) -> None:
    await set_link_code(db, "424242", expires_in=timedelta(minutes=-1))
    newcomer = fake_tg.user(3004, language_code="en")
    newcomer.send("/link 424242")
    await newcomer.expect_message("wrong or has expired")
    assert await _linked_chat(api_server) == str(owner.chat_id)


async def test_link_with_a_wrong_code_is_refused(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    code = (await api_server.client.post("/config/telegram/link-code")).json()["code"]
    wrong = "000000" if code != "000000" else "111111"
    newcomer = fake_tg.user(3005, language_code="en")
    newcomer.send(f"/link {wrong}")
    await newcomer.expect_message("wrong or has expired")
    newcomer.send("/link")
    await newcomer.expect_message("/link CODE")
    assert await _linked_chat(api_server) == str(owner.chat_id)
