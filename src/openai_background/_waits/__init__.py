"""How a wait runs: the sans-I/O poll program and the two drivers that run it.

``program`` is the decision core: a generator that yields ``Fetch`` / ``Sleep`` / ``Cancel`` steps and
never touches I/O; ``run_sync`` / ``run_async`` perform them (threads and ``time.sleep``, anyio and the SDK's
sleep). Beside it, what the drivers consult: ``cadence`` (intervals and backoff), ``deadline``, ``bounded`` and
``requests`` (requests that cannot outlive a deadline), ``limits`` (the answer limits: no cap, a bomb's
ratio), ``timeouts``, ``options`` (``WaitOptions``), ``events``
(``PollEvent`` for ``on_poll``), ``structured`` (``text_format`` parsing), ``signatures`` (the keyword options
as ``TypedDict``s), ``sdk_methods``, ``daemon_pool``, and the interfaces other parts plug into: ``observers``
(a ``Recorder`` told of creates and endings: the journal), ``wakeups`` (a source that ends a sleep early:
webhooks through the journal; ``sleeping`` is the drivers' side, ``listening`` what ``wait="webhook"`` means
for a client), and ``budget`` (a poll budget shared by a client's waits, consulted in ``requests``).
``shells`` are the thin sync/async entry points the resources call.

May import: ``.._errors`` and ``.._compat``. Never imports the journal, webhooks, streams, the client
surface or the CLI: those plug in through ``observers``, ``wakeups`` and ``budget``.
"""
