"""HTTP metrics for Prometheus; the pipeline's own metrics live beside its code."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "nudge_http_requests_total", "HTTP requests handled", ["method", "route", "status"]
)
LATENCY = Histogram("nudge_http_request_seconds", "HTTP request latency", ["method", "route"])


async def observe_request(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    # The route template, not the raw path, keeps the label set small.
    route = getattr(request.scope.get("route"), "path", "unmatched")
    LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    return response
