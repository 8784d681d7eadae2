"""Every error leaves the API as JSON naming the field and the problem; unexpected ones
are logged and answered with a plain 500 without a traceback."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("nudge.api")


class ApiError(Exception):
    status_code = 400

    def __init__(self, detail: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)


class InvalidInput(ApiError):
    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", [(field, message)])


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    status_code = 409


class Forbidden(ApiError):
    status_code = 403


def error_body(detail: str, errors: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    return {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors]}


def _field_of(loc: Sequence[int | str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        if parts[0] == "body" and len(parts) > 1 and parts[1].isdigit() and len(parts) == 2:
            return "body"  # a JSON decode error points at a character position
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message_of(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return "is not valid JSON"
    if error.get("type") == "missing":
        return "is required"
    message = str(error.get("msg", "is invalid"))
    # pydantic prefixes messages raised from validators with "Value error, ".
    return message.removeprefix("Value error, ")


def _validation_errors(exc: RequestValidationError) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for error in exc.errors():
        field = _field_of(error.get("loc", ()))
        message = _message_of(error)
        # Cross-field validators name their field themselves: "end_time: must not …".
        named, sep, rest = message.partition(": ")
        if sep and named.isidentifier():
            field = named if field == "body" else f"{field}.{named}"
            message = rest
        items.append((field, message))
    return items


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.detail, exc.errors), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{f}: {m}" for f, m in errors) or "invalid request"
        return JSONResponse(error_body(detail, errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI answers 400 only for a body it cannot decode at all.
        errors = [("body", str(exc.detail))] if exc.status_code == 400 else []
        return JSONResponse(
            error_body(str(exc.detail), errors), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal error"), status_code=500)
