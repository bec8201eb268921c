"""What each background outcome means, as data.

One table maps a failed response's ``error.code`` to its exception class; one set says which codes are
worth a new ``create()``. Tests read the installed SDK's ``ResponseError.code`` Literal and fail until every
code it declares is placed here, so a code added upstream is never guessed into a class.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from .exceptions import (
    ResponseBadRequestError,
    ResponseFailedError,
    ResponseNotFoundError,
    ResponsePermissionDeniedError,
    ResponseRateLimitError,
    ResponseServerError,
)

PENDING_STATUSES: Final = frozenset({"queued", "in_progress"})
"""Statuses that mean: poll again."""

TERMINAL_STATUSES: Final = frozenset({"completed", "failed", "incomplete", "cancelled"})
"""Statuses that end the wait; all but ``completed`` can raise."""

FAILURE_CLASSES: Final[Mapping[str, type[ResponseFailedError]]] = MappingProxyType(
    {
        "server_error": ResponseServerError,
        "vector_store_timeout": ResponseServerError,
        "rate_limit_exceeded": ResponseRateLimitError,
        "invalid_prompt": ResponseBadRequestError,
        "bio_policy": ResponseBadRequestError,
        "misalignment_policy_violation": ResponseBadRequestError,
        "invalid_image": ResponseBadRequestError,
        "invalid_image_format": ResponseBadRequestError,
        "invalid_base64_image": ResponseBadRequestError,
        "invalid_image_url": ResponseBadRequestError,
        "image_too_large": ResponseBadRequestError,
        "image_too_small": ResponseBadRequestError,
        "image_parse_error": ResponseBadRequestError,
        "image_content_policy_violation": ResponseBadRequestError,
        "invalid_image_mode": ResponseBadRequestError,
        "image_file_too_large": ResponseBadRequestError,
        "unsupported_image_media_type": ResponseBadRequestError,
        "empty_image_file": ResponseBadRequestError,
        "failed_to_download_image": ResponseBadRequestError,
        "image_file_not_found": ResponseNotFoundError,
        "data_residency_mismatch": ResponsePermissionDeniedError,
    }
)
"""``error.code`` -> exception class. A code not listed raises ``ResponseFailedError``."""

RETRYABLE_CODES: Final = frozenset({"server_error", "rate_limit_exceeded", "vector_store_timeout"})
"""Codes for which a new ``create()`` may succeed. Everything else, unknown codes included, is not."""

INCOMPLETE_REASONS: Final = frozenset({"max_output_tokens", "max_messages", "content_filter", "steered"})
"""The ``incomplete_details.reason`` values this package knows. Others still raise
``ResponseIncompleteError`` and keep the reason as sent."""
