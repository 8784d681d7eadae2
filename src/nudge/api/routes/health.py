"""Liveness, readiness and metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from nudge.api.deps import SessionDep, require_token
from nudge.api.schemas import ErrorOut

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database or broker unreachable"}})
async def readyz(request: Request, session: SessionDep) -> JSONResponse:
    try:
        await session.execute(text("SELECT 1"))
        database = True
    except Exception:
        database = False
    broker_probe = request.app.state.broker_probe
    broker = await broker_probe.reachable()
    ready = database and broker
    body: dict[str, Any] = {
        "status": "ok" if ready else "unavailable",
        "database": database,
        "broker": broker,
        "delay_backend": broker_probe.backend_name,
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get(
    "/metrics",
    dependencies=[Depends(require_token)],
    response_class=Response,
    responses={401: {"model": ErrorOut, "description": "missing or wrong API token"}},
)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
