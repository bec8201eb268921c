"""``err.response_id`` on every exception out of ``create_and_poll`` and the framework modes (None when the
create request itself failed), and the wrong-usage messages: an unknown id, a plain ``for`` over the async
``poll_many``, an id that is not a string. Sync, asyncio and trio on the loopback fake server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest
from _target import FORK, AsyncOpenAI, OpenAI
from conftest import CANARY_KEY, MODES
from hostile.server import HostileServer, json_answer, route

if FORK:
    pytest.skip("the framework modes belong to the openai-background package", allow_module_level=True)

from _modes_run import maybe, modes_run_fixture

from openai_background import Journal
from openai_background.testing import Answer, FakeResponsesServer, JobScript

run = modes_run_fixture()


def notes(error: BaseException) -> str:
    return "\n".join(getattr(error, "__notes__", []))


def refused_create(status: int) -> JobScript:
    return JobScript.of(Answer.state("completed"), on_create=Answer.http_error(status))


async def _drain(client: Any, opened: Any) -> None:
    if isinstance(client, openai.AsyncOpenAI):
        async with opened as stream:
            async for _ in stream:
                pass
    else:
        with opened as stream:
            for _ in stream:
                pass


@pytest.mark.parametrize(("status", "family"), [(429, openai.RateLimitError), (500, openai.InternalServerError)])
@pytest.mark.parametrize("wait", ["poll", "stream"])
def test_a_refused_create_is_the_sdks_error_with_response_id_none(
    run: Callable[..., Any], server: FakeResponsesServer, status: int, family: type, wait: str
) -> None:
    server.queue_create(refused_create(status))
    with pytest.raises(family) as caught:
        run(lambda c: maybe(c.responses.create_and_poll(model="m", input="x", wait=wait)))
    error: Any = caught.value
    assert type(error) is family  # the SDK's own class: no response exists to be a background error
    assert error.response_id is None
    assert error.status_code == status


def test_the_readme_pattern_never_raises_attribute_error(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    """``except openai.RateLimitError as err: err.response_id`` works for a refused create and a failed job."""
    ids: list[object] = []

    async def body(client: Any) -> None:
        for _ in range(2):
            try:
                await maybe(client.responses.create_and_poll(model="m", input="x"))
            except openai.RateLimitError as err:
                ids.append(err.response_id)

    server.queue_create(refused_create(429))
    server.queue_create(JobScript.failed("rate_limit_exceeded"))
    run(body)
    assert ids[0] is None and isinstance(ids[1], str) and ids[1].startswith("resp_fake_")


def test_a_connection_failure_on_create_has_response_id_none(run: Callable[..., Any]) -> None:
    with pytest.raises(openai.APIConnectionError) as caught:
        run(lambda c: maybe(c.responses.create_and_poll(model="m", input="x")), base_url="http://127.0.0.1:9/v1")
    assert caught.value.response_id is None  # type: ignore[attr-defined]


def test_bad_arguments_to_create_and_poll_have_response_id_none(run: Callable[..., Any]) -> None:
    with pytest.raises(ValueError) as caught:
        run(lambda c: maybe(c.responses.create_and_poll(model="m", input="x", stream=True)))
    assert caught.value.response_id is None  # type: ignore[attr-defined]


def test_errors_after_the_create_name_the_response(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.of(Answer.http_error(401)))
    with pytest.raises(openai.AuthenticationError) as caught:
        run(lambda c: maybe(c.responses.create_and_poll(model="m", input="x")))
    rid: Any = caught.value.response_id  # type: ignore[attr-defined]
    assert rid.startswith("resp_fake_") and server.job(rid).polls == 1


@pytest.mark.parametrize("how", ["create", "with_raw_response", "parse"])
def test_the_wait_mode_gives_response_id_none_for_a_refused_create(
    run: Callable[..., Any], server: FakeResponsesServer, how: str
) -> None:
    server.queue_create(refused_create(429))

    async def body(client: Any) -> Any:
        if how == "create":
            return await maybe(client.responses.create(model="m", input="x", background=True))
        if how == "parse":
            return await maybe(client.responses.parse(model="m", input="x", background=True))
        return await maybe(client.responses.with_raw_response.create(model="m", input="x", background=True))

    with pytest.raises(openai.RateLimitError) as caught:
        run(body, background_mode="wait")
    assert caught.value.response_id is None  # type: ignore[attr-defined]


def _on_hostile(mode: str, server: HostileServer, use: Callable[[Any], Any], **client_kwargs: Any) -> Any:
    """``await use(client)`` with a real client of ``mode`` on ``server``."""
    kwargs = {"api_key": CANARY_KEY, "base_url": server.base_url, "max_retries": 0, **client_kwargs}
    if mode == "sync":
        with OpenAI(**kwargs) as client:
            coroutine = use(client)
            try:
                coroutine.send(None)
            except StopIteration as done:
                return done.value
            raise AssertionError("the body suspended with a sync client")

    async def main() -> Any:
        async with AsyncOpenAI(**kwargs) as client:
            return await use(client)

    return anyio.run(main, backend=mode)


REFUSED_STREAM = json_answer({"error": {"message": "slow down", "type": "requests", "code": None}}, 429)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", ["mode", "create_and_stream"])
def test_a_refused_create_stream_has_response_id_none(mode: str, how: str) -> None:
    async def body(client: Any) -> None:
        if how == "mode":
            opened = await maybe(client.responses.create(model="m", input="x", background=True, stream=True))
        else:
            opened = client.responses.create_and_stream(model="m", input="x")
        await _drain(client, opened)

    with HostileServer(route(post=REFUSED_STREAM)) as server, pytest.raises(openai.RateLimitError) as caught:
        _on_hostile(mode, server, body, **({"background_mode": "wait"} if how == "mode" else {}))
    assert caught.value.response_id is None  # type: ignore[attr-defined]


def test_a_journaled_create_gives_response_id_none(
    run: Callable[..., Any], server: FakeResponsesServer, tmp_path: Path
) -> None:
    server.queue_create(refused_create(429))
    with Journal(tmp_path / "jobs.sqlite3") as journal, pytest.raises(openai.RateLimitError) as caught:
        run(lambda c: maybe(c.responses.create(model="m", input="x", background=True)), journal=journal)
    assert caught.value.response_id is None  # type: ignore[attr-defined]


def test_strict_retrieve_names_the_id_it_asked_for(run: Callable[..., Any]) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        run(lambda c: maybe(c.responses.retrieve("resp_gone")), strict_retrieve=True)
    assert caught.value.response_id == "resp_gone"  # type: ignore[attr-defined]


# -- messages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wait", ["poll", "stream"])
def test_a_404_on_poll_says_the_id_is_unknown_or_expired(run: Callable[..., Any], wait: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        run(lambda c: maybe(c.responses.poll("resp_nobody_knows", wait=wait)))
    said = notes(caught.value)
    assert "resp_nobody_knows" in said and "unknown" in said and "expired" in said
    assert "may still be running" not in said and "Resume" not in said
    assert caught.value.response_id == "resp_nobody_knows"  # type: ignore[attr-defined]


def test_a_404_on_stream_background_says_the_id_is_unknown_or_expired(run: Callable[..., Any]) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        run(lambda c: _drain(c, c.responses.stream_background("resp_nobody_knows")))
    said = notes(caught.value)
    assert "unknown" in said and "expired" in said and "may still be running" not in said


def test_a_job_that_failed_with_image_file_not_found_keeps_its_own_message(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    rid = server.add_job(JobScript.failed("image_file_not_found"))
    with pytest.raises(openai.NotFoundError) as caught:
        run(lambda c: maybe(c.responses.poll(rid)))
    assert "unknown" not in notes(caught.value) and caught.value.code == "image_file_not_found"


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (123, "response_id must be a str (a response id like 'resp_...'), got int 123"),
        (None, "response_id must be a str (a response id like 'resp_...'), got NoneType None"),
        (b"resp_1", "response_id must be a str (a response id like 'resp_...'), got bytes b'resp_1'"),
        ("", "response_id must be a non-empty str (a response id like 'resp_...'), got ''"),
    ],
)
@pytest.mark.parametrize("method", ["poll", "poll_many", "stream_background"])
def test_a_response_id_that_is_not_a_string_names_the_type_wanted(
    run: Callable[..., Any], server: FakeResponsesServer, bad: object, says: str, method: str
) -> None:
    server.clear_requests()

    async def body(client: Any) -> Any:
        if method == "poll_many":
            return client.responses.poll_many([bad])
        if method == "stream_background":
            return client.responses.stream_background(bad)
        return await maybe(client.responses.poll(bad))

    with pytest.raises(ValueError) as caught:
        run(body)
    assert str(caught.value) == says
    assert server.requests == []


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_plain_for_over_the_async_poll_many_points_to_async_with(server: FakeResponsesServer, backend: str) -> None:
    rid = server.add_job(JobScript.completed())

    async def main() -> None:
        async with AsyncOpenAI(api_key="sk-test", base_url=server.base_url) as client:
            with pytest.raises(TypeError) as caught:
                for _ in client.responses.poll_many([rid]):  # type: ignore[attr-defined]
                    pass
            said = str(caught.value)
            assert "async with client.responses.poll_many(ids) as outcomes:" in said
            assert "async for outcome in outcomes" in said

    anyio.run(main, backend=backend)
    assert server.job(rid).polls == 0  # refused before anything ran


def test_poll_many_outcomes_of_an_unknown_id_name_it_and_say_unknown(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    known = server.add_job(JobScript.completed())

    async def body(client: Any) -> Any:
        ids = [known, "resp_nobody_knows"]
        if isinstance(client, openai.AsyncOpenAI):
            async with client.responses.poll_many(ids) as outcomes:
                return {outcome.response_id: outcome async for outcome in outcomes}
        return {outcome.response_id: outcome for outcome in client.responses.poll_many(ids)}

    outcomes = run(body)
    assert outcomes[known].ok
    error = outcomes["resp_nobody_knows"].error
    assert isinstance(error, openai.NotFoundError) and error.response_id == "resp_nobody_knows"  # type: ignore[attr-defined]
    assert "unknown" in notes(error) and "may still be running" not in notes(error)
