"""Property-based run over the OpenAPI schema against the API served by uvicorn:
for every operation, valid and invalid generated requests, no 5xx, every response
conforming to the schema, invalid data rejected.

schemathesis' own pytest plugin does not run on this pytest; its Python API with
hypothesis' ``@given`` does the same work."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from nudge.api.app import create_app
from nudge.config import Settings
from nudge.store.db import SessionFactory

# Examples per operation and mode; raise it for a deeper run (NUDGE_SCHEMA_EXAMPLES=500).
EXAMPLES = int(os.environ.get("NUDGE_SCHEMA_EXAMPLES", "30"))
# With a token configured, schemathesis also checks that requests without it are refused.
TOKEN = "schema-check-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served_api(settings: Settings, migrated_database: str) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(
                settings.model_copy(update={"api_token": TOKEN, "embedded_dispatcher": False})
            ),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_conforms_to_the_schema(
    served_api: str, db: SessionFactory, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_url(f"{served_api}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # The schema cannot list every rule (an IANA zone name, a valid RRULE, end after
    # start), so schema-valid bodies may rightly get a 422.
    lenient = [positive_data_acceptance]
    failures: list[str] = []
    for operation in operations:
        takes_input = operation.path_parameters or operation.query or operation.body
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # nothing to make invalid (/healthz, /readyz)

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            if mode is GenerationMode.NEGATIVE:
                # The token goes into the case itself, so a case that dropped the header
                # is judged as what is actually sent; the positive run checks the token.
                case.headers = {**(case.headers or {}), **auth}
                case.call_and_validate(excluded_checks=[*lenient, ignored_auth])
            else:
                case.call_and_validate(headers=auth, excluded_checks=lenient)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
