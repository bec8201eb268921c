"""The dispatcher is total: any body gives None or a BackgroundResponseError naming the id it was given."""

from __future__ import annotations

from typing import Any

import pytest
from _sdk_http import SDK_HTTP
from _target import BackgroundResponseError, internal, make_background_failure_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai._models import construct_type
from openai.types.responses import Response

pytestmark = pytest.mark.once  # SDK-independent or subprocess-heavy: run by `nox -s tests`, not the matrix

FAILURE_CLASSES = internal("_errors.codes").FAILURE_CLASSES
INCOMPLETE_REASONS = internal("_errors.codes").INCOMPLETE_REASONS

BODIES_PER_EXAMPLE = 5
EXAMPLES = 2_000  # 10,000 bodies a run

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
statuses = st.sampled_from(["queued", "in_progress", "completed", "failed", "incomplete", "cancelled"]) | json_values
codes = st.sampled_from(sorted(FAILURE_CLASSES)) | json_values
errors = (
    st.fixed_dictionaries(
        {}, optional={"code": codes, "message": json_values, "param": json_values, "type": json_values}
    )
    | json_values
)
details = (
    st.fixed_dictionaries({}, optional={"reason": st.sampled_from(sorted(INCOMPLETE_REASONS)) | json_values})
    | json_values
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=20) | json_values,
        "status": statuses,
        "error": errors,
        "incomplete_details": details,
        "output": json_values,
        "object": st.just("response") | json_values,
    },
).flatmap(
    lambda body: st.dictionaries(st.text(max_size=10), json_values, max_size=3).map(lambda extra: {**extra, **body})
)

POLL = SDK_HTTP.Response(200, request=SDK_HTTP.Request("GET", "https://api.openai.com/v1/responses/resp_given"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(bodies, min_size=BODIES_PER_EXAMPLE, max_size=BODIES_PER_EXAMPLE))
def test_dispatcher_is_total_and_names_the_id(batch: list[dict[str, Any]]) -> None:
    for body in batch:
        result: Any = construct_type(type_=Response, value=body)
        error = make_background_failure_error(result, response=POLL, response_id="resp_given")
        assert error is None or isinstance(error, BackgroundResponseError)
        if error is None:
            assert body.get("status") in ("queued", "in_progress", "completed")
        else:
            assert error.response_id == "resp_given"
            assert "resp_given" in str(error)
            assert len(str(error)) < 2_000
