"""What each patch of the series adds: lines in total, and lines in files upstream's generator owns."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

PATCH_LIMITS = {1: (400, 45)}
"""Patch number -> (added lines, added lines in generated files) it may carry at most."""
SERIES_LIMITS = (1000, 150)
"""The same bounds for the whole series."""


@dataclass(frozen=True)
class Size:
    added: int
    generated: int

    def __add__(self, other: Size) -> Size:
        return Size(self.added + other.added, self.generated + other.generated)


def patch_size(patch: str, generated: Collection[str]) -> Size:
    """Added lines of a ``git format-patch`` text; ``generated``: the paths upstream's generator owns."""
    added = in_generated = 0
    path = None
    for line in patch.splitlines():
        header = re.match(r"^\+\+\+ (?:b/(.+)|/dev/null)$", line)
        if header:
            path = header.group(1)
        elif line.startswith("+") and path is not None:
            added += 1
            in_generated += path in generated
        elif line.startswith("diff --git "):
            path = None
    return Size(added, in_generated)


def over_limits(sizes: list[Size]) -> list[str]:
    """Each bound of ``PATCH_LIMITS`` and ``SERIES_LIMITS`` the series breaks, as a sentence."""
    found = []
    for number, size in enumerate(sizes, start=1):
        limit = PATCH_LIMITS.get(number)
        if limit and (size.added > limit[0] or size.generated > limit[1]):
            found.append(f"patch {number} adds {size.added} lines ({size.generated} generated), limit {limit}")
    total = sum(sizes, Size(0, 0))
    if total.added > SERIES_LIMITS[0] or total.generated > SERIES_LIMITS[1]:
        found.append(f"the series adds {total.added} lines ({total.generated} generated), limit {SERIES_LIMITS}")
    return found
