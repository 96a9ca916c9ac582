"""Reading numbers people (or payloads) give us: one rule, so no listener can be crashed by "²" or 10**400."""

from __future__ import annotations

__all__ = ["whole_number"]


def whole_number(text: object, *, low: int, high: int) -> int | None:
    """`text` as an integer in [low, high], or None: ASCII digits only (str.isdigit() also accepts "²", which
    int() refuses), no sign, no more digits than `high` has, so nothing huge is ever converted."""
    value = str(text if text is not None else "").strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > len(str(high)):
        return None
    number = int(value)
    return number if low <= number <= high else None
