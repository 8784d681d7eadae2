"""The FastAPI application: routes, error handling, token check, renderer, dispatcher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from nudge import __version__
from nudge.api.broker_probe import BrokerProbe
from nudge.api.deps import reject_unknown_query, require_token
from nudge.api.errors import install_error_handlers
from nudge.api.metrics import RequestMetrics
from nudge.api.routes import config, events, health, parse, reminders
from nudge.api.schemas import ErrorOut
from nudge.config import Settings
from nudge.dispatcher.service import run_dispatcher
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store.db import make_engine, make_session_factory

log = logging.getLogger("nudge.api")

RENDERER_DIR = Path(__file__).resolve().parents[3] / "desktop" / "dist"
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorOut, "description": "the body could not be read"},
    401: {"model": ErrorOut, "description": "missing or wrong API token"},
    404: {"model": ErrorOut, "description": "no such id"},
    422: {"model": ErrorOut, "description": "invalid input; names the field"},
}


def create_app(settings: Settings, *, renderer_dir: Path = RENDERER_DIR) -> FastAPI:
    wakeup = DispatcherWakeup()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.session_factory = session_factory = make_session_factory(engine)
        stop = asyncio.Event()
        dispatcher = None
        if settings.embedded_dispatcher:
            dispatcher = asyncio.create_task(
                run_dispatcher(settings, session_factory, wakeup, stop, on_ready=_backend_chosen)
            )
        try:
            yield
        finally:
            stop.set()
            if dispatcher is not None:
                await dispatcher
            await engine.dispose()

    def _backend_chosen(name: str) -> None:
        app.state.broker_probe.backend_name = name

    app = FastAPI(
        title="nudge",
        version=__version__,
        description="Personal events and reminders. See docs/api.md for the short version.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.wakeup = wakeup
    app.state.wake_dispatcher = wakeup.wake
    app.state.broker_probe = BrokerProbe(settings.amqp_url)
    install_error_handlers(app)
    app.add_middleware(RequestMetrics)

    app.include_router(health.router)
    protected = {
        "dependencies": [Depends(require_token), Depends(reject_unknown_query)],
        "responses": ERROR_RESPONSES,
    }
    for module in (config, events, reminders, parse):
        app.include_router(module.router, **protected)  # type: ignore[arg-type]
    if renderer_dir.is_dir():
        app.mount("/", StaticFiles(directory=renderer_dir, html=True), name="renderer")
    else:
        log.info("no built renderer at %s; run 'npm run build' in desktop/", renderer_dir)
    return app
