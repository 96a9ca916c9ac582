"""Numbers from people and payloads: ASCII digits within range, or nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.inputs import whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        (" 26 ", 26),
        ("1", 1),
        ("0", None),
        ("27", None),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("+3", None),
        ("1e5", None),
        ("3.0", None),
        ("", None),
        (None, None),
        ("9" * 5000, None),
        ("07", 7),
        ("007", None),
    ],
)
def test_only_ascii_digits_within_range_are_numbers(text: object, expected: int | None) -> None:
    assert whole_number(text, low=1, high=26) == expected


@given(st.text(max_size=50))
def test_never_raises_and_never_leaves_the_range(text: str) -> None:
    value = whole_number(text, low=1, high=26)
    assert value is None or 1 <= value <= 26
