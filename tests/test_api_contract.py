"""The API contract under fuzzing: a bounded, seeded schemathesis run against the app (WSGI,
offline, on the mock network of ``tests/conftest.py``).

Every documented operation gets a few dozen generated requests — valid ones (which must be
accepted: 2xx, or 404/422 when the places are unknown, outside the territory or not linked) and
invalid ones (which must be refused with a 4xx) — and every answer must be documented: status,
media type and schema. No 5xx. The run is deterministic (fixed seed, derandomised), so a failure
is reproducible and the suite stays quick.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from routing.bounds import LOOP_TARGET_RULE
from webapp import create_app

SCHEMA_PATH = "/api/openapi.json"
#: Examples per operation and mode (9 operations × 2 modes: a few hundred requests in all).
EXAMPLES = 20
#: Answers a valid request may get: done, or the places cannot be planned (the schema cannot
#: know which names exist or where the territory lies).
ACCEPTED = ["2xx", "404", "422"]
#: Answers an invalid request may get: refused (400), or too long to read (414).
REFUSED = ["400", "404", "414", "422"]
#: Rules between parameters that no per-parameter schema can state; each operation's
#: description says them, and the answer is 400 with this very message.
CROSS_PARAMETER_RULES = (LOOP_TARGET_RULE,)


@pytest.fixture(scope="module")
def contract_app(mock_compiled: Any) -> Flask:
    return create_app({"TESTING": True, "NETWORK": mock_compiled})


@pytest.fixture(scope="module")
def api_schema(contract_app: Flask) -> Any:
    config = SchemathesisConfig.from_dict({
        "seed": 20240601,
        "checks": {"negative_data_rejection": {"expected-statuses": REFUSED}},
        "generation": {"mode": "all", "deterministic": True,
                       "max-examples": EXAMPLES, "database": "none"},
    })
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, contract_app, config=config)


def _split_past_bound(case: Any, detail: str) -> bool:
    """Whether ``detail`` refuses a repeatable parameter whose values, once split on commas or
    lines (as the document's description says), are more than its bound."""
    match = re.match(r"^(\w+) : au plus \d+ valeurs", detail)
    if match is None:
        return False
    given = (case.query or {}).get(match.group(1), [])
    return any(("," in v or "\n" in v) for v in ([given] if isinstance(given, str) else given))


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _check(case: Any, mode: GenerationMode) -> None:
    """Call the app; the answer must be documented, never a 5xx, and a valid request accepted."""
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
    if mode is not GenerationMode.POSITIVE:
        return
    where = (case.path, case.query, response.status_code, response.text[:300])
    if response.status_code == 400:
        detail = response.json()["detail"]
        assert detail in CROSS_PARAMETER_RULES or _split_past_bound(case, detail), where
    else:
        assert response.status_code < 300 or response.status_code in (404, 422), where


@pytest.fixture
def same_draws_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis also draws constants it finds in the project's modules loaded so far, so a run
    alone and a run in the whole suite would draw different requests; without them it draws the
    same ones everywhere. (Internals: when a Hypothesis release moves them, the run stays seeded,
    only less repeatable across suites.)"""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - depends on the installed Hypothesis
        return
    if hasattr(providers, "_get_local_constants") and hasattr(providers, "CONSTANTS_CACHE"):
        monkeypatch.setattr(providers, "_get_local_constants", Constants)
        monkeypatch.setattr(providers, "CONSTANTS_CACHE", {})


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.usefixtures("same_draws_everywhere")
def test_api_answers_as_documented(api_schema: Any, mode: GenerationMode) -> None:
    operations = _operations(api_schema)
    # every documented path (schemathesis leaves out the document itself, read to load it)
    assert {op.path for op in operations} == set(api_schema.raw_schema["paths"]) - {SCHEMA_PATH}
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not operation.definition.raw.get("parameters"):
            continue  # nothing to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            _check(case, mode)

        run()
