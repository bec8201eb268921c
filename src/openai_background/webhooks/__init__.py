"""OpenAI webhooks as the end of a wait: ``WebhookReceiver`` records each verified end event in a journal, and
waits with ``wait="webhook"`` on a client with that journal wake on it (``docs/webhooks.md``).

What it owns: the receiver (``_receiver``: an ASGI app and its WSGI twin, verified by the SDK's
``webhooks.unwrap``). What it may import: ``..journal`` (where the events go) and ``openai``; the command that
serves it under uvicorn is ``.._command.webhooks``."""

from ._receiver import WebhookReceiver

__all__ = ["WebhookReceiver"]
