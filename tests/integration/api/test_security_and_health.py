"""The token check, health endpoints, metrics and the generated schema."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

ApiFactory = Callable[..., Coroutine[Any, Any, httpx.AsyncClient]]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/config"),
        ("GET", "/events"),
        ("POST", "/events"),
        ("POST", "/parse"),
        ("GET", "/metrics"),
        ("GET", "/reminders"),
    ],
)
async def test_token_required_when_configured(make_api: ApiFactory, method: str, path: str) -> None:
    api = await make_api(api_token="s3cret")
    assert (await api.request(method, path, json={})).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await api.request(method, path, json={}, headers=wrong)).status_code == 401
    right = {"Authorization": "Bearer s3cret"}
    assert (await api.request(method, path, json={}, headers=right)).status_code != 401


async def test_health_needs_no_token(make_api: ApiFactory) -> None:
    api = await make_api(api_token="s3cret")
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    ready = await api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["database"] is True and ready.json()["broker"] is True


async def test_readyz_reports_an_unreachable_broker(make_api: ApiFactory) -> None:
    api = await make_api(amqp_url="amqp://guest:guest@127.0.0.1:1/")
    ready = await api.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["broker"] is False


async def test_metrics_count_requests(make_api: ApiFactory) -> None:
    api = await make_api()
    await api.get("/events")
    text = (await api.get("/metrics")).text
    assert 'nudge_http_requests_total{method="GET",route="/events",status="200"}' in text


async def test_openapi_docs_are_served(make_api: ApiFactory) -> None:
    api = await make_api()
    assert (await api.get("/docs")).status_code == 200
    schema = (await api.get("/openapi.json")).json()
    assert "/events/{event_id}/done" in schema["paths"]
