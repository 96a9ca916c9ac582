"""Copy that recognises mentors: the milestone thank-you and their own record on the Home tab."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.domain.recognition import MentorRecord


def _topics(topics: Sequence[str]) -> str:
    # The mentee's most wanted topic only: labels often hold an "and" themselves, and a list of them reads badly.
    return topics[0] if topics else "what you know"


def milestone_message(
    *, mentor_name: str, mentee_name: str, sessions: int, topics: Sequence[str]
) -> tuple[str, list[dict[str, Any]]]:
    """The private thank-you a mentor gets when their pair logs its 1st, 5th or 10th session.

    Args:
        mentor_name: Who it thanks.
        mentee_name: Their mentee in this pair.
        sessions: The milestone reached (1, 5 or 10).
        topics: Labels of what the mentor teaches this mentee, most wanted first.
    """
    what = _topics(topics)
    if sessions == 1:
        text = (
            f":tada: Your first session with {mentee_name} is done. Thank you, {mentor_name}: teaching {what} to a "
            "senior colleague takes nerve, and you've started something good."
        )
    elif sessions == 5:
        text = (
            f":star: Five sessions with {mentee_name}: that's real commitment, {mentor_name}. Five is where new habits "
            f"start to stick, so the time you've put into {what} is paying off. Thank you."
        )
    else:
        count = "Ten" if sessions == 10 else str(sessions)
        text = (
            f":trophy: {count} sessions with {mentee_name}! {mentor_name}, that's a real reverse mentoring "
            f"partnership. Thank you for every session on {what}: the program is better for it."
        )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ContextBlock(elements=[MarkdownTextObject(text="Only you received this. Your record is on your Home tab.")]),
    ]
    return text, [b.to_dict() for b in blocks]


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def record_text(record: MentorRecord) -> str:
    """A mentor's own record, e.g. "*Your record as a mentor*: 2 pairs (1 now, 1 before) · 7 sessions · 1 cycle"."""
    pairs = record.current_pairs + record.past_pairs
    parts = [
        f"{_count(pairs, 'pair')} ({record.current_pairs} now, {record.past_pairs} before)",
        _count(record.sessions, "session") + " held",
        _count(record.cycles_completed, "cycle") + " completed",
    ]
    return "*Your record as a mentor*\n" + " · ".join(parts)
