"""Commands of the linked chat: /create (one line, Russian, conversation), /list, /edit,
/delete, /done, /settings, /help, unknown commands, and the registered command menu."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.integration.telegram.telegram_support import ApiServer


async def _events(api: ApiServer) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await api.client.get("/events")).json()["items"]
    return items


async def _create(api: ApiServer, title: str, in_hours: float, **extra: Any) -> dict[str, Any]:
    start = (datetime.now(UTC) + timedelta(hours=in_hours)).isoformat()
    response = await api.client.post("/events", json={"title": title, "start_time": start, **extra})
    assert response.status_code == 201, response.text
    event: dict[str, Any] = response.json()
    return event


def _tomorrow_at(hour: int, zone: str = "UTC") -> datetime:
    tz = ZoneInfo(zone)
    day = datetime.now(tz).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=tz)


async def test_commands_are_registered_in_both_languages(
    fake_tg: FakeTelegram, owner: FakeUser
) -> None:
    english = {c["command"]: c["description"] for c in fake_tg.commands[("default", "")]}
    russian = {c["command"]: c["description"] for c in fake_tg.commands[("default", "ru")]}
    assert {"create", "list", "edit", "done", "delete", "settings", "help", "link"} <= set(english)
    assert set(english) == set(russian)
    assert english["list"] == "Upcoming events" and russian["list"] == "Ближайшие события"


async def test_create_one_line_in_english(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    owner.send("/create dentist tomorrow 15:00")
    proposal = await owner.expect_message("New event")
    assert "dentist" in proposal.text and "tomorrow 15:00" in proposal.text
    assert await _events(api_server) == []  # nothing saved before Save

    answer_id = owner.press(proposal, "Save")
    await owner.expect_edit(proposal, "Saved")
    assert proposal.buttons == []
    assert "Saved" in ((await owner.answer(answer_id)).text or "")
    [event] = await _events(api_server)
    assert event["title"] == "dentist"
    assert datetime.fromisoformat(event["start_time"]) == _tomorrow_at(15)


async def test_create_one_line_in_russian(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    ru = fake_tg.user(owner.chat_id, language_code="ru")
    ru.send("/create стоматолог завтра в 15:00")
    proposal = await ru.expect_message("Новое событие")
    assert "стоматолог" in proposal.text and "завтра 15:00" in proposal.text
    ru.press(proposal, "Сохранить")
    await ru.expect_edit(proposal, "Сохранено")
    [event] = await _events(api_server)
    assert event["title"] == "стоматолог"


async def test_create_cancel_saves_nothing(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    owner.send("/create call mom in 2 hours")
    proposal = await owner.expect_message("New event")
    owner.press(proposal, "Cancel")
    await owner.expect_edit(proposal, "Not saved")
    assert proposal.buttons == []
    assert await _events(api_server) == []


async def test_create_through_the_conversation(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    owner.send("/create")
    await owner.expect_message("send its title")
    owner.send("Team <sync> & retro")
    await owner.expect_message("When is Team <sync> & retro?")
    owner.send("no idea")
    await owner.expect_message("couldn't find a date or time in “no idea”")
    owner.send("tomorrow 09:00")
    proposal = await owner.expect_message("New event")
    assert "Team <sync> & retro" in proposal.text and "tomorrow 09:00" in proposal.text
    owner.press(proposal, "Save")
    await owner.expect_edit(proposal, "Saved")
    [event] = await _events(api_server)
    assert event["title"] == "Team <sync> & retro"
    assert datetime.fromisoformat(event["start_time"]) == _tomorrow_at(9)


async def test_conversation_can_be_cancelled(owner: FakeUser, api_server: ApiServer) -> None:
    owner.send("/create")
    await owner.expect_message("send its title")
    owner.send("/cancel")
    await owner.expect_message("Cancelled")
    owner.send("just chatting")
    await owner.expect_message("To add an event")
    assert await _events(api_server) == []


async def test_unparseable_date_and_unknown_command_get_friendly_errors(
    owner: FakeUser,
) -> None:
    owner.send("/create something someday maybe")
    await owner.expect_message("couldn't find a date or time")
    owner.send("/frobnicate")
    await owner.expect_message("I don't know that command")
    owner.send("/help")
    help_text = await owner.expect_message("/create")
    assert "/list" in help_text.text and "/settings" in help_text.text


async def test_list_shows_upcoming_with_done_and_delete_buttons(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    later = await _create(api_server, "Later <thing>", in_hours=5)
    sooner = await _create(api_server, "Sooner & first", in_hours=2)
    finished = await _create(api_server, "Already finished", in_hours=3)
    assert (await api_server.client.post(f"/events/{finished['id']}/done")).status_code == 200
    await _create(api_server, "In the past", in_hours=-3)

    owner.send("/list")
    listing = await owner.expect_message("Upcoming events")
    assert listing.text.index("Sooner & first") < listing.text.index("Later <thing>")
    assert "Already finished" not in listing.text and "In the past" not in listing.text
    assert f"#{sooner['id']}" in listing.text
    labels = [label for label, _ in listing.buttons]
    assert labels == [
        f"✅ #{sooner['id']}",
        f"🗑 #{sooner['id']}",
        f"✅ #{later['id']}",
        f"🗑 #{later['id']}",
    ]

    query = owner.press(listing, f"✅ #{sooner['id']}")
    assert "Done: Sooner & first" in ((await owner.answer(query)).text or "")
    await owner.expect_edit(listing)
    assert "Sooner & first" not in listing.text and "Later <thing>" in listing.text
    assert (await api_server.client.get(f"/events/{sooner['id']}")).json()["is_completed"]

    query = owner.press(listing, f"🗑 #{later['id']}")
    assert "Deleted" in ((await owner.answer(query)).text or "")
    await owner.expect_edit(listing, "No upcoming events")
    assert (await api_server.client.get(f"/events/{later['id']}")).status_code == 404


async def test_edit_title_and_time(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    event = await _create(api_server, "Old title", in_hours=4)
    owner.send(f"/edit {event['id']}")
    menu = await owner.expect_message("What do you want to change?")
    owner.press(menu, "Title")
    await owner.expect_message("Send the new title")
    owner.send("New *title* <3")
    await owner.expect_message("Updated")
    assert (await api_server.client.get(f"/events/{event['id']}")).json()[
        "title"
    ] == "New *title* <3"

    owner.send(f"/edit {event['id']}")
    menu = await owner.expect_message("What do you want to change?")
    owner.press(menu, "Time")
    await owner.expect_message("Send the new time")
    owner.send("tomorrow 10:00")
    await owner.expect_message("tomorrow 10:00")
    start = (await api_server.client.get(f"/events/{event['id']}")).json()["start_time"]
    assert datetime.fromisoformat(start) == _tomorrow_at(10)

    owner.send(f"/edit {event['id']} time tomorrow 11:00")
    await owner.expect_message("tomorrow 11:00")
    start = (await api_server.client.get(f"/events/{event['id']}")).json()["start_time"]
    assert datetime.fromisoformat(start) == _tomorrow_at(11)


async def test_delete_and_done_by_id_with_friendly_errors(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    doomed = await _create(api_server, "Doomed", in_hours=2)
    chore = await _create(
        api_server,
        "Chore",
        in_hours=2,
        reminders=[
            {"offset_minutes": 30, "channels": ["telegram"]},
            {"offset_minutes": 10, "channels": ["telegram"]},
        ],
    )

    owner.send(f"/delete {doomed['id']}")
    await owner.expect_message("Deleted: Doomed")
    assert (await api_server.client.get(f"/events/{doomed['id']}")).status_code == 404
    owner.send(f"/delete {doomed['id']}")
    await owner.expect_message(f"There is no event #{doomed['id']}")

    owner.send(f"/done {chore['id']}")
    await owner.expect_message("Done: Chore")
    assert (await api_server.client.get(f"/events/{chore['id']}")).json()["is_completed"]
    reminders = (await api_server.client.get(f"/events/{chore['id']}/reminders")).json()
    assert reminders and all(r["status"] == "cancelled" for r in reminders)
    owner.send(f"/done {chore['id']}")
    await owner.expect_message("already done")

    owner.send("/done")
    await owner.expect_message("Which event?")
    owner.send("/edit abc")
    await owner.expect_message("“abc” is not an event id")
    owner.send("/done 987654")
    await owner.expect_message("There is no event #987654")


async def test_settings_changes_the_time_zone_used_for_times(
    fake_tg: FakeTelegram, owner: FakeUser, api_server: ApiServer
) -> None:
    owner.send("/settings")
    menu = await owner.expect_message("Time zone: UTC")
    owner.press(menu, "Europe/Moscow")
    await owner.expect_edit(menu, "Time zone set to Europe/Moscow")
    assert (await api_server.client.get("/config")).json()["timezone"] == "Europe/Moscow"

    owner.send("/settings Mars/Olympus_Mons")
    await owner.expect_message("“Mars/Olympus_Mons” is not a time zone")
    owner.send("/settings Asia/Tokyo")
    await owner.expect_message("Time zone set to Asia/Tokyo")

    start = _tomorrow_at(12, "UTC")
    response = await api_server.client.post(
        "/events", json={"title": "Lunch", "start_time": start.isoformat()}
    )
    assert response.status_code == 201
    owner.send("/list")
    listing = await owner.expect_message("Lunch")
    assert "21:00" in listing.text  # 12:00 UTC is 21:00 in Tokyo
