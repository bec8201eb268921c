"""Framework modes: background mode for code that only calls ``responses.create`` / ``retrieve``.

What it owns: the client settings (``_settings``: ``BackgroundSettings``, ``settings_of``), and the
``create`` / ``retrieve`` overrides the settings switch on: ``background_mode="wait"``/``"always"``
(``create`` waits for the background job's end through the one poll program) and ``strict_retrieve``
(``retrieve`` raises the typed error of a failed or cancelled response).

What it may import: the core (``.._loop``, ``.._waiting``, ``.._dispatch``, ``.._exceptions``,
``.._compat``) and ``..streams`` (a background stream for ``stream=True``). The core never imports it at
module level: ``.._client`` and ``.._install`` read the settings from here, ``.._resources`` inherits the
overrides, and the core's own requests go past them (``.._waiting.sdk_method``).
"""
