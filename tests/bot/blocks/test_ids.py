"""Ids live in one module and never collide within their kind."""

from __future__ import annotations

from bot.blocks import ids


def _values(prefix: str) -> list[str]:
    return [value for name, value in vars(ids).items() if name.startswith(prefix) and isinstance(value, str)]


def test_ids_are_unique_within_their_kind() -> None:
    for prefix in ("A_", "B_"):
        values = _values(prefix)
        assert len(values) == len(set(values)), prefix
    views = [value for name, value in vars(ids).items() if name.endswith("_VIEW")]
    assert len(views) == len(set(views))


def test_ids_fit_slack_limits() -> None:
    assert all(0 < len(value) <= 255 for value in _values("A_") + _values("B_"))
