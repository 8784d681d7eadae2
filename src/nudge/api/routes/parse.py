"""Natural-language quick add: a proposed event body, nothing saved."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from nudge.api.deps import NowDep, SessionDep
from nudge.api.errors import InvalidInput
from nudge.api.schemas import ParseIn, ParseOut
from nudge.store.queries import load_config

router = APIRouter(tags=["parse"])


@router.post("/parse")
async def parse_text(body: ParseIn, session: SessionDep, now: NowDep) -> ParseOut:
    # dateparser takes a second to import; only the first parse pays for it.
    from nudge.domain.parsing import parse_event_text

    zone = (await load_config(session)).timezone
    # dateparser is CPU-bound; keep the event loop free for other requests.
    parsed = await asyncio.to_thread(parse_event_text, body.text, zone, now)
    if parsed is None:
        raise InvalidInput("text", "found no title together with a date or time")
    return ParseOut(
        title=parsed.title, start_time=parsed.start_time, timezone=zone, all_day=parsed.all_day
    )
