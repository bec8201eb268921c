"""Structured outputs in background mode: ``text_format`` survives the wait.

The SDK's ``responses.parse`` does three things: it puts ``text_format``'s JSON schema in ``text.format``,
converts pydantic function tools (``openai.pydantic_function_tool``) to the Responses shape, and turns the
final ``Response`` into a ``ParsedResponse`` (``output_parsed``, ``parsed_arguments``). The first two change
the create parameters (``structured_create``); the last is ``StructuredOutput.parse``, the one
post-processing step every path applies to the one program's result (``parsing`` wraps the program; there
is no second loop). Each step is the SDK's own helper, never a parser of ours, so a model validates here
exactly as it does in ``parse``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from openai._types import NotGiven, Omit
from openai.lib._parsing._responses import parse_response, type_to_text_format_param
from openai.types.responses import ParsedResponse, Response

from .._compat import make_tools
from .timeouts import add_note

__all__ = ["StructuredOutput", "parsing", "structured_create", "structured_output"]

T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R")

_OMIT: Any = Omit()


@dataclass(frozen=True)
class StructuredOutput(Generic[T]):
    """How to parse a final response: the model of its text and the tools its function calls name."""

    text_format: type[T]
    tools: Any = _OMIT
    """The tools as the create request sent them (``ToolParam``s; a pydantic tool keeps its model)."""

    def parse(self, response: Response) -> ParsedResponse[T]:
        """``response`` as ``responses.parse`` returns it, through the SDK's ``parse_response``.

        A completed response whose text (or a pydantic tool call's arguments) does not validate raises
        what ``parse`` raises (pydantic's ``ValidationError``), with ``response_id`` set and a note. A
        refusal is a ``refusal`` content part, as in ``parse`` (``output_parsed`` is None). A response
        that did not complete (returned because its status is not in ``raise_on``) is not validated: its
        text is not the model's answer, so ``output_parsed`` is None.
        """
        text_format: Any = self.text_format if response.status == "completed" else _OMIT  # see above
        try:
            parsed: ParsedResponse[T] = parse_response(
                text_format=text_format, input_tools=self.tools, response=response
            )
        except Exception as error:
            _name_response(error, response.id, self.text_format)
            raise
        return parsed


def structured_output(text_format: object) -> StructuredOutput[Any] | None:
    """``text_format`` of ``poll``/``poll_many``/``stream_background`` checked: None (or omitted) means
    "return plain ``Response``s"; anything but a class is a ``ValueError``."""
    if text_format is None or isinstance(text_format, (Omit, NotGiven)):
        return None
    if not isinstance(text_format, type):
        raise ValueError(f"text_format must be a class (a pydantic model, a dataclass...), not {text_format!r}")
    return StructuredOutput(text_format)


def structured_create(
    text_format: object, params: Mapping[str, Any], *, always: bool = False
) -> tuple[Mapping[str, Any], StructuredOutput[Any] | None]:
    """The create parameters ``responses.parse`` would send for ``text_format``, and how to parse the
    result. Without ``text_format``, ``params`` unchanged and None, unless ``always`` (``parse`` itself:
    its tools are converted and its result is a ``ParsedResponse`` even without a model). Raises
    ``TypeError`` when ``text`` already has a ``format``, as ``parse`` does."""
    output = structured_output(text_format)
    if output is None and not always:
        return params, None
    sent: dict[str, Any] = dict(params)
    if output is not None:
        text: dict[str, Any] = dict(params.get("text") or {})
        if "format" in text:
            raise TypeError("Cannot mix and match text.format with text_format")
        text["format"] = type_to_text_format_param(output.text_format)
        sent["text"] = text
    if "tools" in params:
        sent["tools"] = make_tools(params["tools"])
    model: Any = _OMIT if output is None else output.text_format
    return sent, StructuredOutput(model, sent.get("tools", _OMIT))


def parsing(
    program: Generator[S, Any, R],
    output: StructuredOutput[Any] | None,
    *,
    keep: Callable[[Response], None] | None = None,
) -> Generator[S, Any, R]:
    """``program`` (a poll or stream program), with its final ``Response`` parsed by ``output`` (and
    handed to ``keep``). Any other result (a stream's hand-over to polling) is returned as it is."""
    result = yield from program
    if output is None or not isinstance(result, Response):
        return result
    parsed: Any = output.parse(result)
    if keep is not None:
        keep(parsed)
    return parsed  # type: ignore[no-any-return]


def _name_response(error: Exception, rid: str, text_format: object) -> None:
    """Set ``response_id`` on a parse error and say why it happened, so the finished job is not lost."""
    if getattr(error, "response_id", None) is None:
        try:
            error.response_id = rid  # type: ignore[attr-defined]
        except AttributeError:  # pragma: no cover - exceptions with __slots__
            return
    model = getattr(text_format, "__name__", "the requested model")
    note = (
        f"Background response {rid} finished, but its output does not parse as {model}; "
        f"client.responses.retrieve({rid!r}) returns it unparsed."
    )
    add_note(error, note)
