"""The single user's configuration: time zone, default reminders, linked channels."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Path
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nudge.api.deps import NowDep, SessionDep, WakeDep
from nudge.api.errors import Forbidden
from nudge.api.event_input import zone_name
from nudge.api.schemas import ConfigOut, ConfigPatch, ErrorOut, LinkCodeOut, TelegramLinkIn
from nudge.store.event_reminders import rewrite_reminders
from nudge.store.models import Event, UserConfig
from nudge.store.queries import load_config

router = APIRouter(tags=["config"])

LINK_CODE_TTL = timedelta(minutes=10)
ChatId = Annotated[str, Path(pattern=r"^-?[0-9]{1,20}$", description="Telegram chat id")]
DeviceId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9._-]{1,128}$", description="desktop device id (a UUID)")
]


def config_out(config: UserConfig) -> ConfigOut:
    return ConfigOut(
        telegram_chat_id=config.telegram_chat_id,
        desktop_device_id=config.desktop_device_id,
        timezone=config.timezone,
        default_reminders=config.default_reminders,
        catchup_window_minutes=config.catchup_window_minutes,
        telegram_language=config.telegram_language,
        telegram_linked=config.telegram_chat_id is not None,
        desktop_registered=config.desktop_device_id is not None,
    )


async def _rewrite_upcoming(
    session: AsyncSession, config: UserConfig, now: datetime, *, defaults_only: bool = False
) -> None:
    """Channels or defaults changed: give every open event the reminders it now should
    have. Events that have ended and whose series cannot recur are left alone."""
    statement = select(Event).where(Event.is_completed.is_(False)).with_for_update()
    if defaults_only:
        statement = statement.where(Event.reminders.is_(None))
    lookback = now - timedelta(days=1)
    for event in (await session.execute(statement)).scalars():
        if event.rrule is None and event.start_time < lookback:
            continue
        event.version += 1
        await rewrite_reminders(session, event, config, now)


@router.get("/config")
async def get_config(session: SessionDep) -> ConfigOut:
    return config_out(await load_config(session))


@router.patch("/config")
async def patch_config(
    body: ConfigPatch, session: SessionDep, wake: WakeDep, now: NowDep
) -> ConfigOut:
    async with session.begin():
        config = await load_config(session, for_update=True)
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        if "timezone" in changes:
            config.timezone = zone_name(changes["timezone"])
        if "catchup_window_minutes" in changes:
            config.catchup_window_minutes = changes["catchup_window_minutes"]
        if "telegram_language" in changes:
            config.telegram_language = changes["telegram_language"]
        if "default_reminders" in changes:
            config.default_reminders = changes["default_reminders"]
            await _rewrite_upcoming(session, config, now, defaults_only=True)
        config.updated_at = now
    wake()
    return config_out(config)


@router.put("/config/desktop/{device_id}")
async def register_desktop(
    device_id: DeviceId, session: SessionDep, wake: WakeDep, now: NowDep
) -> ConfigOut:
    async with session.begin():
        config = await load_config(session, for_update=True)
        newly_linked = config.desktop_device_id is None
        config.desktop_device_id = device_id
        config.updated_at = now
        if newly_linked:
            await _rewrite_upcoming(session, config, now)
    wake()
    return config_out(config)


def _code_matches(config: UserConfig, code: str | None, now: datetime) -> bool:
    stored, expires = config.telegram_link_code, config.telegram_link_code_expires_at
    if not (code and stored and expires and expires > now):
        return False
    return secrets.compare_digest(code, stored)


@router.put(
    "/config/telegram/{chat_id}",
    responses={403: {"model": ErrorOut, "description": "another chat is linked; code needed"}},
)
async def link_telegram(
    chat_id: ChatId,
    session: SessionDep,
    wake: WakeDep,
    now: NowDep,
    body: Annotated[TelegramLinkIn | None, Body()] = None,
) -> ConfigOut:
    code = body.code if body else None
    async with session.begin():
        config = await load_config(session, for_update=True)
        current = config.telegram_chat_id
        matches = _code_matches(config, code, now)
        if code:
            # A code is good for one try: a wrong guess burns it, so six digits
            # cannot be brute-forced within its ten minutes.
            config.telegram_link_code = None
            config.telegram_link_code_expires_at = None
        # Someone who merely found the bot must not take over the reminders.
        refused = current is not None and current != chat_id and not matches
        if not refused:
            config.telegram_chat_id = chat_id
            config.updated_at = now
            if current is None:
                await _rewrite_upcoming(session, config, now)
    if refused:
        raise Forbidden(
            "another chat is linked; a valid link code is required",
            [("code", "is missing, wrong or expired")],
        )
    wake()
    return config_out(config)


@router.delete("/config/telegram")
async def unlink_telegram(session: SessionDep, now: NowDep) -> ConfigOut:
    async with session.begin():
        config = await load_config(session, for_update=True)
        if config.telegram_chat_id is not None:
            config.telegram_chat_id = None
            config.updated_at = now
            await _rewrite_upcoming(session, config, now)
    return config_out(config)


@router.post("/config/telegram/link-code")
async def make_link_code(session: SessionDep, now: NowDep) -> LinkCodeOut:
    async with session.begin():
        config = await load_config(session, for_update=True)
        config.telegram_link_code = f"{secrets.randbelow(10**6):06d}"
        config.telegram_link_code_expires_at = now + LINK_CODE_TTL
    return LinkCodeOut(code=config.telegram_link_code, expires_at=now + LINK_CODE_TTL)
