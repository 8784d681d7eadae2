"""Named ``Annotated`` dependencies shared by the routes."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from nudge.api.errors import ApiError, InvalidInput
from nudge.config import Settings


class Unauthorized(ApiError):
    status_code = 401


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.session_factory() as session:
        yield session


def get_wake(request: Request) -> Callable[[], None]:
    wake: Callable[[], None] = request.app.state.wake_dispatcher
    return wake


def get_now() -> datetime:
    return datetime.now(UTC)


_bearer = HTTPBearer(auto_error=False, description="NUDGE_API_TOKEN, when one is set")


def require_token(
    settings: Annotated[Settings, Depends(get_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    if settings.api_token is None:
        return
    given = credentials.credentials if credentials else ""
    if not secrets.compare_digest(given.encode(), settings.api_token.encode()):
        raise Unauthorized("a valid 'Authorization: Bearer <token>' header is required")


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def reject_unknown_query(request: Request) -> None:
    """A misspelt parameter (``?form=`` for ``?from=``) silently ignored would return
    the wrong events, and so would one given twice (only the last would count): name it
    instead. Every query parameter of this API takes one value."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _query_names(route.dependant))
    if unknown:
        raise InvalidInput(unknown[0] or "query", "is not a parameter of this endpoint")
    repeated = sorted(
        k for k in set(request.query_params) if len(request.query_params.getlist(k)) > 1
    )
    if repeated:
        raise InvalidInput(repeated[0], "is given more than once")


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
WakeDep = Annotated[Callable[[], None], Depends(get_wake)]
NowDep = Annotated[datetime, Depends(get_now)]
