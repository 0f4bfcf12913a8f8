"""Property test of the whole API from its OpenAPI schema (schemathesis): no input gets a 500.

Every operation gets a few generated requests that fit the schema and a few that do not, with a
valid token, on both database backends; kept small (6 + 6 per operation) so the run takes seconds.
The examples are new on every run (not derandomized): over many CI runs the whole input space is
walked, and a failure prints the blob that reproduces it (``@reproduce_failure``).
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

EXAMPLES = 6


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_gets_a_server_error(make_api, mode):
    api = make_api(demo_mode=True)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    seen: dict[str, set[int]] = {}

    for operation in operations:
        takes_input = bool(operation.body or operation.query or operation.path_parameters)
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # nothing to get wrong: no invalid request exists

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=False, database=None, print_blob=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=api.auth())
            case.validate_response(response, checks=[not_a_server_error])
            seen.setdefault(case.operation.label, set()).add(response.status_code)

        check()
    assert all(code < 500 for codes in seen.values() for code in codes), seen
    assert any(code >= 400 for codes in seen.values() for code in codes)  # invalid input was really sent
