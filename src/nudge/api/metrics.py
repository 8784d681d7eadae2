"""HTTP metrics for Prometheus; the pipeline's own metrics live beside its code."""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "nudge_http_requests_total", "HTTP requests handled", ["method", "route", "status"]
)
LATENCY = Histogram("nudge_http_request_seconds", "HTTP request latency", ["method", "route"])


class RequestMetrics:
    """Pure ASGI middleware: Starlette's BaseHTTPMiddleware costs a task and a stream
    per request, a measurable share of a create on this API's hot path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            # The route template, not the raw path, keeps the label set small.
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
            REQUESTS.labels(method, route, str(status)).inc()
