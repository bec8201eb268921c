"""Background streams: read a background response's event stream to its end, resuming dropped connections.

What it owns: ``stream_background`` / ``create_and_stream`` (``_resources``), ``poll(wait="stream")``
(``_waiting``), the sans-I/O stream program (``_program``, with its steps in ``_steps`` and its endings in
``_endings``) and the I/O that drives it (``_io``).

What it may import: the core (``.._loop``, ``.._waiting``, ``.._dispatch``, ``.._cadence``, ``.._codes``,
``.._compat``, ``.._exceptions``, ``.._structured`` and the typing-only ``.._signatures``). The core never
imports this subpackage at module level: ``.._resources`` loads it, and ``poll(wait="stream")`` is the only
arrow from a core method into it.
"""
