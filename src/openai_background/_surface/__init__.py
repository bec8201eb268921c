"""What users hold: the drop-in clients, their ``responses`` resources, and ``install()``.

``clients`` subclasses the SDK's four client classes; ``responses`` / ``async_responses`` add ``poll``,
``create_and_poll``, ``poll_many``, ``resume`` and the stream helpers to the SDK's ``Responses``;
``mode_responses`` is the resource behind ``background_mode`` / ``strict_retrieve``; ``install`` gives the
SDK's own classes the same additions in place.

May import: every capability (``.._waits``, ``.._errors``, ``.._many``, ``..streams``, ``..modes``,
``..journal``, ``..webhooks``) and ``.._compat``; only ``.._command`` and the package root sit above it.
"""
