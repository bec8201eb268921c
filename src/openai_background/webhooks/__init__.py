"""OpenAI webhooks as the end of a wait: ``WebhookReceiver`` records each verified end event in a journal, and
waits with ``wait="webhook"`` on a client with that journal wake on it (``docs/webhooks.md``)."""

from ._receiver import WebhookReceiver

__all__ = ["WebhookReceiver"]
