"""The test kit, used from the outside as a user uses it: the pytest plugin in a pytest run of its own
(pytester), and the respx helper with sync and async clients."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import httpx
import openai
import pytest
import respx

from openai_background import AsyncOpenAI, OpenAI, ResponseRateLimitError, ResponseServerError
from openai_background._compat import HttpResponse
from openai_background.testing import Answer, FakeResponsesServer, JobScript
from openai_background.testing.respx import UnmockedTransportError, mock_background_job, mocked_job, outcome_script

pytest_plugins = ["pytester"]

PLUGIN = "openai_background.testing.pytest_plugin"


def run_user_tests(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """A user's pytest run, in this process; hypothesis's plugin is left out only because its import
    (redone for every in-process run) is slow."""
    return pytester.runpytest("-p", "no:hypothesispytest", "-p", "no:cacheprovider", *args)


USER_TESTS = """
import openai
import pytest
from openai_background.testing import JobScript
from openai_background.testing.pytest_plugin import FAKE_API_KEY


def test_the_client_talks_to_the_started_server(fake_responses_server, background_client):
    assert str(background_client.base_url).rstrip("/") == fake_responses_server.base_url
    assert background_client.api_key == FAKE_API_KEY


def test_a_scripted_failure_reaches_the_users_except_clause(fake_responses_server, background_client):
    fake_responses_server.queue_create(JobScript.failed("rate_limit_exceeded").terminal_on_create())
    with pytest.raises(openai.RateLimitError) as caught:
        background_client.responses.create_and_poll(model="gpt-4.1", input="hi")
    assert caught.value.retryable
    assert [job.id for job in fake_responses_server.jobs] == [caught.value.response_id]


def test_each_test_gets_a_fresh_server(fake_responses_server):
    assert fake_responses_server.jobs == [] and fake_responses_server.requests == []
"""


def test_the_plugin_gives_a_started_server_and_a_client_pointed_at_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USER_TESTS)

    result = run_user_tests(pytester, "-p", PLUGIN)

    result.assert_outcomes(passed=3)


def test_the_plugin_is_enabled_from_the_top_level_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(f"pytest_plugins = [{PLUGIN!r}]")
    pytester.makepyfile(USER_TESTS)

    result = run_user_tests(pytester)

    result.assert_outcomes(passed=3)


def test_without_opting_in_there_are_no_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USER_TESTS)

    result = run_user_tests(pytester)

    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(["*fixture 'fake_responses_server' not found*"])


def test_the_plugin_starts_nothing_until_a_fixture_is_asked_for(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import threading

        def servers():
            return [t for t in threading.enumerate() if t.name.startswith("fake-responses-server")]

        def test_a_test_that_uses_no_fixture():
            assert servers() == []

        def test_a_test_that_does(fake_responses_server):
            assert len(servers()) == 1
        """
    )
    before = threading.active_count()

    result = run_user_tests(pytester, "-p", PLUGIN)

    result.assert_outcomes(passed=2)
    assert threading.active_count() == before  # the server of the second test was stopped


def test_the_async_client_fixture_works_under_anyio_and_in_any_event_loop(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import openai
        import pytest
        from openai_background.testing import JobScript

        OUTCOMES = ["completed", "server_error", "completed"]


        @pytest.fixture(params=["asyncio", "trio"])
        def anyio_backend(request):
            return request.param


        def script(outcome):
            if outcome == "completed":
                return JobScript.completed(output_text="ok", polls=1, poll_after_ms=5).with_create_hint(5)
            return JobScript.failed(outcome, polls=1, poll_after_ms=5).with_create_hint(5)


        async def run_all(server, client):
            for outcome in OUTCOMES:
                server.queue_create(script(outcome))
            calls = [client.responses.create_and_poll(model="m", input="x") for _ in OUTCOMES]
            return await asyncio.gather(*calls, return_exceptions=True)


        @pytest.mark.anyio
        async def test_under_anyio(fake_responses_server, async_background_client):
            for outcome in OUTCOMES:
                fake_responses_server.queue_create(script(outcome))
            results = []
            for _ in OUTCOMES:
                try:
                    response = await async_background_client.responses.create_and_poll(model="m", input="x")
                    results.append(response.status)
                except openai.InternalServerError as error:
                    results.append(error.code)
            assert results == OUTCOMES


        def test_under_asyncio_run(fake_responses_server, async_background_client):
            results = asyncio.run(run_all(fake_responses_server, async_background_client))
            assert sorted(type(r).__name__ for r in results) == ["Response", "Response", "ResponseServerError"]


        def test_one_client_serves_one_event_loop_after_another(fake_responses_server, async_background_client):
            rid = fake_responses_server.add_job(JobScript.completed())
            for _ in range(2):
                assert asyncio.run(async_background_client.responses.poll(rid)).status == "completed"
        """
    )

    result = run_user_tests(
        pytester, "-p", PLUGIN, "-W", "error::ResourceWarning", "-W", "error::pytest.PytestUnraisableExceptionWarning"
    )

    result.assert_outcomes(passed=4)


# -- respx helper ------------------------------------------------------------------------------------

MODES = ["sync", "asyncio", "trio"]


def call(mode: str, use: Any, *, base_url: str = "https://api.openai.com/v1") -> Any:
    """``use(client)`` with a fresh client of ``mode`` on an httpx client (what respx mocks)."""
    if mode == "sync":
        with OpenAI(api_key="sk-test", base_url=base_url, http_client=httpx.Client(), max_retries=0) as client:
            return use(client)

    async def main() -> Any:
        http_client = httpx.AsyncClient()
        async with AsyncOpenAI(api_key="sk-test", base_url=base_url, http_client=http_client, max_retries=0) as c:
            return await use(c)

    return anyio.run(main, backend=mode)


@pytest.mark.parametrize("mode", MODES)
def test_respx_a_mocked_failure_raises_the_typed_error(mode: str) -> None:
    with respx.mock as router:
        rid = mock_background_job(router, "failed:server_error")

        with pytest.raises(openai.InternalServerError) as caught:
            call(mode, lambda client: client.responses.create_and_poll(model="gpt-4.1", input="hi"))

    error = caught.value
    assert isinstance(error, ResponseServerError) and error.retryable
    assert error.response_id == rid and error.code == "server_error"
    assert str(error.request_id).startswith("req_mock_")
    assert mocked_job(router, rid).polls == 2  # one in-progress poll, then the failure


@pytest.mark.parametrize("mode", MODES)
def test_respx_jobs_are_handed_to_creates_in_the_order_they_were_mocked(mode: str) -> None:
    async def both_async(client: Any) -> list[Any]:
        return [await outcome_of(client.responses.create_and_poll(model="m", input=str(n))) for n in range(2)]

    async def outcome_of(awaitable: Any) -> Any:
        try:
            return await awaitable
        except ResponseRateLimitError as error:
            return error

    def both_sync(client: Any) -> list[Any]:
        results: list[Any] = [client.responses.create_and_poll(model="m", input="0")]
        try:
            client.responses.create_and_poll(model="m", input="1")
        except ResponseRateLimitError as error:
            results.append(error)
        return results

    with respx.mock as router:
        first = mock_background_job(router, JobScript.completed(output_text="first").with_create_hint(5))
        second = mock_background_job(router, "failed:rate_limit_exceeded")

        done, failed = call(mode, both_sync if mode == "sync" else both_async)

    assert (done.id, done.output_text) == (first, "first")
    assert failed.response_id == second
    assert mocked_job(router, first).create_body["input"] == "0"


@pytest.mark.parametrize("mode", MODES)
def test_respx_poll_alone_and_cancel_on_timeout(mode: str) -> None:
    with respx.mock(base_url="http://llm.internal:8080/openai/v1") as router:
        rid = mock_background_job(
            router,
            JobScript.of(Answer.state("in_progress", poll_after_ms=5)),
            base_url="http://llm.internal:8080/openai/v1",
        )

        with pytest.raises(TimeoutError):
            call(
                mode,
                lambda client: client.responses.poll(rid, max_wait_seconds=0.3, cancel_on_timeout=True),
                base_url="http://llm.internal:8080/openai/v1",
            )

    job = mocked_job(router, rid)
    assert job.polls >= 2 and job.cancel_requests == 1 and job.cancelled


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("fault", "raised"),
    [
        pytest.param(Answer.drop(), openai.APIConnectionError, id="drop"),
        pytest.param(Answer.slow(30, Answer.state("completed")), openai.APITimeoutError, id="slower-than-timeout"),
    ],
)
def test_respx_transport_faults_raise_what_the_transport_would(mode: str, fault: Answer, raised: type) -> None:
    with respx.mock as router:
        rid = mock_background_job(router, JobScript.completed().with_faults(fault))

        with pytest.raises(raised) as caught:
            call(mode, lambda client: client.responses.poll(rid, timeout=5, max_poll_failures=1))

    assert caught.value.response_id == rid


@pytest.mark.parametrize("mode", MODES)
def test_respx_an_http_error_with_a_retry_hint_is_retried(mode: str) -> None:
    outage = Answer.http_error(503, headers={"retry-after-ms": "1"})
    with respx.mock as router:
        rid = mock_background_job(router, JobScript.completed().with_faults(outage, outage))

        response = call(mode, lambda client: client.responses.poll(rid))
        statuses = [c.response.status_code for c in router.calls if c.response is not None]

    assert response.status == "completed"
    assert statuses == [503, 503, 200]


def test_respx_other_responses_endpoints_fall_through_to_the_users_routes() -> None:
    with respx.mock as router:
        rid = mock_background_job(router, "completed")
        deleted = router.delete(f"https://api.openai.com/v1/responses/{rid}").respond(200, json={})

        def use(client: Any) -> Any:
            client.responses.create_and_poll(model="m", input="x")
            return client.responses.delete(rid)

        call("sync", use)

    assert deleted.called


SPEAKS_HTTPX2 = HttpResponse.__module__.startswith("httpx2")


@pytest.mark.skipif(not SPEAKS_HTTPX2, reason="openai 1.x/2.x speak httpx, which respx intercepts")
@pytest.mark.parametrize("mode", MODES)
def test_respx_refuses_a_client_on_the_sdks_httpx2_transport_and_sends_nothing(mode: str) -> None:
    # The mocked base URL is a live loopback server: a request that slipped past the mock would land there.
    with FakeResponsesServer() as server:
        base_url = server.base_url
        with respx.mock as router:
            rid = mock_background_job(router, "completed", base_url=base_url)

            def create(client: Any) -> Any:
                return client.responses.create_and_poll(model="m", input="x")

            def poll(client: Any) -> Any:
                return client.responses.poll(rid)

            for use in (create, poll):
                with pytest.raises(UnmockedTransportError) as caught:
                    if mode == "sync":
                        with OpenAI(api_key="sk-test", base_url=base_url, max_retries=0) as client:
                            use(client)
                    else:

                        async def main(use: Any = use) -> None:
                            async with AsyncOpenAI(api_key="sk-test", base_url=base_url, max_retries=0) as client:
                                await use(client)

                        anyio.run(main, backend=mode)
                message = str(caught.value)
                assert "http_client=httpx.Client()" in message and "httpx.AsyncClient()" in message
                assert "respx does not intercept" in message
            assert server.requests == []
        # once the mock is gone the same transport is untouched
        with OpenAI(api_key="sk-test", base_url=base_url, max_retries=0) as client:
            assert client.responses.create_and_poll(model="m", input="x").status == "completed"


def test_respx_a_create_with_no_job_left_is_reported_as_not_mocked() -> None:
    with respx.mock as router:
        mock_background_job(router, "completed")

        def twice(client: Any) -> None:
            for _ in range(2):
                client.responses.create_and_poll(model="m", input="x")

        with pytest.raises(Exception) as caught:  # openai 1.x wraps it in APIConnectionError
            call("sync", twice)

    said = [str(caught.value), str(caught.value.__cause__)]
    assert any("not mocked" in text for text in said), said


@pytest.mark.parametrize(
    ("name", "status", "detail"),
    [
        ("completed", "completed", None),
        ("cancelled", "cancelled", None),
        ("failed:vector_store_timeout", "failed", {"code": "vector_store_timeout"}),
        ("incomplete:content_filter", "incomplete", {"reason": "content_filter"}),
    ],
)
def test_outcome_script_names(name: str, status: str, detail: dict[str, str] | None) -> None:
    script = outcome_script(name)

    last = script.answers[-1]
    assert last.status == status
    assert [a.status for a in script.answers[:-1]] == ["in_progress"]
    assert script.on_create.poll_after_ms == 10
    if detail is not None:
        assert dict(last.error or last.incomplete_details or {}).items() >= detail.items()


@pytest.mark.parametrize("name", ["failed", "incomplete", "completed:yes", "done", ""])
def test_outcome_script_refuses_unknown_names(name: str) -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        outcome_script(name)
