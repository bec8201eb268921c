"""Framework modes: background mode for code that only calls ``responses.create`` / ``retrieve``.

What it owns: the client settings (``_settings``: ``BackgroundSettings``, ``settings_of``), and the
``create`` / ``retrieve`` overrides the settings switch on: ``background_mode="wait"``/``"always"``
(``create`` waits for the background job's end through the one poll program) and ``strict_retrieve``
(``retrieve`` raises the typed error of a failed or cancelled response).

What it may import: ``.._waits`` (a waiting ``create`` is one poll program; a waiting ``parse`` parses as
``poll(..., text_format=...)``), ``.._errors`` and ``..streams`` (a background stream for ``stream=True``).
Nothing below it imports it: ``.._surface`` reads the settings from here and inherits the overrides, and the
core's own requests go past them (``.._waits.sdk_methods``).
"""
