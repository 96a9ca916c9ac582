"""Recognition rules: which session counts are milestones, and when a mentor has a record to show."""

from __future__ import annotations

import pytest

from bot.domain.recognition import MILESTONES, MentorRecord, milestone


@pytest.mark.parametrize(
    ("sessions", "expected"), [(0, None), (1, 1), (2, None), (4, None), (5, 5), (10, 10), (11, None)]
)
def test_the_first_fifth_and_tenth_sessions_are_milestones(sessions: int, expected: int | None) -> None:
    assert milestone(sessions) == expected
    assert MILESTONES == (1, 5, 10)


def test_a_record_shows_once_someone_has_mentored() -> None:
    assert MentorRecord().empty
    assert not MentorRecord(past_pairs=1).empty and not MentorRecord(current_pairs=1).empty
