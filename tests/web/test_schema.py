"""Property tests of the JSON API against its own OpenAPI schema (schemathesis): never a 5xx.

Bounded: a few examples per operation, no shrinking deadline, the built-in data only.
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from hkfactor.web import create_app  # noqa: E402

_app = create_app(lang="en")
schema = schemathesis.openapi.from_asgi("/api/openapi.json", _app)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> Any:
    from fastapi.testclient import TestClient

    with TestClient(_app) as c:  # load the data once, before the examples run
        yield c


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_fails_with_a_server_error(case: Any) -> None:
    response = case.call(headers={"accept": "application/json"})
    case.validate_response(response, checks=[not_a_server_error])
    assert b"Traceback" not in response.content
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        body = response.json()
        assert body["message_zh"] and body["message_en"]
