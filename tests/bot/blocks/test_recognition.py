"""The copy that recognises mentors: milestone thank-yous and their record."""

from __future__ import annotations

import pytest

from bot.blocks.recognition import milestone_message, record_text
from bot.domain.recognition import MentorRecord


@pytest.mark.parametrize(
    ("sessions", "opening"),
    [
        (1, "Your first session with Tom is done. Thank you, Priya"),
        (5, "Five sessions with Tom: that's real commitment, Priya."),
        (10, "Ten sessions with Tom! Priya, that's a real reverse mentoring partnership."),
    ],
)
def test_each_milestone_thanks_the_mentor_specifically(sessions: int, opening: str) -> None:
    text, blocks = milestone_message(mentor_name="Priya", mentee_name="Tom", sessions=sessions, topics=["AI", "Data"])
    assert opening in text and "AI" in text and "Data" not in text, "the most wanted topic, not a list"
    assert opening in str(blocks) and "Only you received this" in str(blocks)
    text, _ = milestone_message(mentor_name="Priya", mentee_name="Tom", sessions=sessions, topics=[])
    assert "what you know" in text


def test_a_record_counts_pairs_sessions_and_cycles() -> None:
    text = record_text(MentorRecord(current_pairs=1, past_pairs=2, sessions=1, cycles_completed=2))
    assert text == "*Your record as a mentor*\n3 pairs (1 now, 2 before) · 1 session held · 2 cycles completed"
