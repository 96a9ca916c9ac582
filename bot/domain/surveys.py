"""The rules of a cycle's surveys (the midpoint pulse, the close-out), free of Slack and of the database.

What a valid answer is, and what the answers of one pair say about recognition, are decided here; the copy people
read (the questions, the inline errors) lives in `bot.blocks.surveys`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

VALUE_LOW, VALUE_HIGH = 1, 5  # how is it going; overall value; confidence in a topic
RECOMMEND_LOW, RECOMMEND_HIGH = 0, 10
WORDS_MAX = 500  # what changed, words of thanks (the columns' length)


@dataclass(frozen=True)
class PulseAnswers:
    """The midpoint pulse as submitted; None where nothing (or nothing valid) was picked."""

    value: int | None
    need_help: bool | None
    confidence: Mapping[str, int | None] = field(default_factory=dict)  # topic -> 1-5


@dataclass(frozen=True)
class CloseoutAnswers:
    """The close-out survey as submitted; None where nothing (or nothing valid) was picked."""

    value: int | None
    recommend: int | None
    continue_pair: bool | None
    confidence: Mapping[str, int | None] = field(default_factory=dict)
    changed: str = ""
    thanks: str = ""  # mentees only: words of thanks for their mentor
    may_quote: bool = False  # mentees only: the program may quote `thanks`
    shout_out: bool = False  # mentors only
    manager_note: bool = False  # mentors only


# Problems, by the field they belong to; `bot.blocks.surveys` words them.
MISSING = "missing"
TOO_LONG = "too_long"
NOTHING_TO_QUOTE = "nothing_to_quote"


def confidence_field(topic: str) -> str:
    return f"confidence:{topic}"


def _confidence_problems(confidence: Mapping[str, int | None], topics: tuple[str, ...]) -> dict[str, str]:
    return {
        confidence_field(topic): MISSING
        for topic in topics
        if confidence.get(topic) is None or not VALUE_LOW <= (confidence.get(topic) or 0) <= VALUE_HIGH
    }


def pulse_problems(answers: PulseAnswers, *, topics: tuple[str, ...]) -> dict[str, str]:
    """What stops a pulse from being stored, by field ("value", "help", "confidence:<topic>")."""
    problems: dict[str, str] = {}
    if answers.value is None or not VALUE_LOW <= answers.value <= VALUE_HIGH:
        problems["value"] = MISSING
    if answers.need_help is None:
        problems["help"] = MISSING
    problems.update(_confidence_problems(answers.confidence, topics))
    return problems


def closeout_problems(answers: CloseoutAnswers, *, topics: tuple[str, ...]) -> dict[str, str]:
    """What stops a close-out from being stored, by field ("value", "recommend", "continue", "changed", "thanks",
    "confidence:<topic>")."""
    problems: dict[str, str] = {}
    if answers.value is None or not VALUE_LOW <= answers.value <= VALUE_HIGH:
        problems["value"] = MISSING
    if answers.recommend is None or not RECOMMEND_LOW <= answers.recommend <= RECOMMEND_HIGH:
        problems["recommend"] = MISSING
    if answers.continue_pair is None:
        problems["continue"] = MISSING
    if len(answers.changed) > WORDS_MAX:
        problems["changed"] = TOO_LONG
    if len(answers.thanks) > WORDS_MAX:
        problems["thanks"] = TOO_LONG
    elif answers.may_quote and not answers.thanks.strip():
        # Consent to quote nothing is a slip, not a choice: ask for the words rather than store an empty promise.
        problems["thanks"] = NOTHING_TO_QUOTE
    problems.update(_confidence_problems(answers.confidence, topics))
    return problems


def quotable(thanks: str, may_quote: bool) -> str | None:
    """The mentee's words the program may repeat (to the mentor's manager, in a shout-out): only words written for
    that purpose, with the box ticked."""
    words = " ".join(thanks.split())
    return words if may_quote and words else None


def saw_cycle_through(
    *, settled: bool, active: bool, in_cycle_now: bool, ended_on: date | None, cycle_ends_on: date
) -> bool:
    """Whether a pair of a cycle is thanked for completing it: settled at its close (rolled over or closed), still
    in it, or ended no earlier than its last day. A pair that ended along the way (a rematch, someone left) did not
    complete the cycle; a pair still active has moved on to another cycle only through a settled roll-over."""
    if settled:
        return True
    if active:
        return in_cycle_now
    return ended_on is not None and ended_on >= cycle_ends_on
