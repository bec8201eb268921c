"""What a background failure is, and how it becomes the SDK's own exception.

Owns the error-code table (``codes``), the exception classes that subclass ``openai``'s (``exceptions``),
``make_background_failure_error`` (``dispatch``), reading a poll's answer into a status and an error
(``answers``), ``raise_for_status`` (``raising``) and keeping secrets out of messages (``redact``).

May import: ``openai``, ``httpx`` and ``.._compat``. Nothing here waits, sleeps or sends a request; every other
part of the package may import it.
"""
