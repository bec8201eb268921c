"""Background streams: read a background response's event stream to its end, resuming dropped connections.

What it owns: ``stream_background`` / ``create_and_stream`` (``_resources``), ``poll(wait="stream")``
(``_waiting``), the sans-I/O stream program (``_program``, with its steps in ``_steps`` and its endings in
``_endings``) and the I/O that drives it (``_io``).

What it may import: ``.._waits`` (the poll program it hands over to, cadence, deadline, options, shells),
``.._errors`` and ``.._compat``. Nothing below it imports it: ``.._surface`` builds the stream methods on it,
and ``poll(wait="stream")`` reaches it from there.
"""
