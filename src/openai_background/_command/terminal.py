"""Server text made safe to print on a terminal (the command line's progress line and reports).

Secrets are scrubbed (the given ``Redactor``'s, and every one seen in this process), and control characters
and lone surrogates are shown as escapes (``\\x1b``, ``\\ud800``) instead of acting on the terminal.
"""

from __future__ import annotations

import re
from typing import Final

from .._errors.redact import Redactor, seen_secrets

__all__ = ["terminal_text"]

_UNSAFE_IN_A_TERMINAL: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""C0 controls but newline and tab (escape sequences start with ESC), DEL, C1 controls (0x9b is a CSI),
bidirectional overrides, and lone surrogates (which no terminal encoding can write)."""


def terminal_text(text: str, redactor: Redactor | None = None) -> str:
    """``text`` safe to print: secrets scrubbed, control characters and lone surrogates escaped."""
    text = seen_secrets().text(redactor.text(text) if redactor is not None else text)
    return _UNSAFE_IN_A_TERMINAL.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
