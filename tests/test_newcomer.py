"""What a new user meets in the first ten minutes: the version, a clean namespace, the demo's table, and a
clear error for ``async for`` on the async ``poll_many``."""

from __future__ import annotations

import io
from importlib.metadata import version

import anyio
import pytest

import openai_background
from openai_background import AsyncOpenAI
from openai_background._command.demo import COLUMNS, run_demo
from openai_background.testing import FakeResponsesServer, JobScript


def test_version_is_the_installed_distributions() -> None:
    assert openai_background.__version__ == version("openai-background")


def test_dir_shows_the_public_names_not_the_modules_own_helpers() -> None:
    names = dir(openai_background)

    assert {"importlib", "TYPE_CHECKING"}.isdisjoint(names)
    assert not [name for name in names if name.startswith("_") and not name.startswith("__")]  # no _client...
    assert set(openai_background.__all__) <= set(names)
    assert "__version__" in names
    for name in openai_background.__all__:
        getattr(openai_background, name)  # every name dir() promises is there (the lazy ones too)


def test_the_demo_table_shows_the_code_or_the_reason() -> None:
    out = io.StringIO()

    assert run_demo(out) == 0

    header, _, *rows = out.getvalue().splitlines()
    assert [cell.strip() for cell in header.split("  ") if cell.strip()][:3] == ["job", "outcome", "code / reason"]
    assert COLUMNS[2] == "code / reason"
    codes = {row.split()[0]: row.split()[2] for row in rows}
    assert codes == {
        "completed": "-",
        "server_error": "server_error",
        "rate_limit_exceeded": "rate_limit_exceeded",
        "invalid_prompt": "invalid_prompt",
        "incomplete": "max_output_tokens",
        "cancelled": "-",
    }


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_for_on_the_async_poll_many_says_to_use_async_with(backend: str) -> None:
    with FakeResponsesServer() as server:
        rid = server.add_job(JobScript.completed())

        async def main() -> list[bool]:
            async with AsyncOpenAI(api_key="sk-test", base_url=server.base_url) as client:
                with pytest.raises(TypeError, match=r"`async with client\.responses\.poll_many\(ids\) as outcomes:"):
                    async for _ in client.responses.poll_many([rid]):  # type: ignore[attr-defined]
                        pass
                async with client.responses.poll_many([rid]) as outcomes:  # the form it points to works
                    return [outcome.ok async for outcome in outcomes]

        assert anyio.run(main, backend=backend) == [True]
        assert server.job(rid).polls == 1  # the refused `async for` polled nothing
