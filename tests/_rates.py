"""Counting requests the way a rate limiter counts them."""

from __future__ import annotations


def most_in_one_second(times: list[float]) -> int:
    """The most of ``times`` inside any window of one second (half-open, as the fake server counts)."""
    ordered, most, first = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
