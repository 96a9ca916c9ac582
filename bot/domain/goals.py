"""A pair's goals, the agreement both partners accept, and confidence per topic: the rules, free of Slack and of
the database.

Goals are private words: only their writer and their partner ever see them. Confidence is a number per topic
(1-5), given at sign-up as the baseline; the leads only ever see how many people's confidence rose, per topic, over
`MIN_MEASURED` or more people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "CONFIDENCE_HIGH",
    "CONFIDENCE_LOW",
    "GOALS_MAX",
    "GOAL_TEXT_MAX",
    "MIN_MEASURED",
    "ConfidenceAnswer",
    "SkillFigure",
    "agreement_reminder_due",
    "goal_errors",
    "latest_after",
    "parse_goals",
    "rating_errors",
    "skills_learned",
    "split_signup_goals",
]

GOALS_MAX = 3  # per person and pair
GOAL_TEXT_MAX = 200
CONFIDENCE_LOW, CONFIDENCE_HIGH = 1, 5
MIN_MEASURED = 3  # people measured on a topic before the leads see its figure

# What people separate goals with when they type several into one box at sign-up.
_SEPARATORS = re.compile(r"\s*(?:\n|;|•|\u2022|(?<!\w)-\s|\d+[.)]\s)\s*")


def _clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return (cut or text[: limit - 1]) + "…"


def split_signup_goals(text: str) -> list[str]:
    """The one to three goals a mentee's sign-up answer holds, to pre-fill the first check-in.

    People write a sentence, a list, or lines; each line, bullet or "1." item is a goal. More than three are
    folded into the third, so nothing they wrote is lost; a goal longer than `GOAL_TEXT_MAX` is cut at a word.
    """
    parts = [p.strip(" \t.,") for p in _SEPARATORS.split(text or "")]
    goals = [p for p in parts if p]
    if len(goals) > GOALS_MAX:
        goals = [*goals[: GOALS_MAX - 1], "; ".join(goals[GOALS_MAX - 1 :])]
    return [_clip(g, GOAL_TEXT_MAX) for g in goals]


def parse_goals(text: str) -> list[str]:
    """The goals typed in a check-in's box, one per line (blank lines ignored, spaces trimmed)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def goal_errors(goals: Sequence[str], *, required: bool) -> str | None:
    """What is wrong with these goals, in words for the person, or None. `required`: the mentee must keep at
    least one goal; a mentor's goals for what they learn back are optional."""
    if not goals:
        return "Write at least one goal, one per line." if required else None
    if len(goals) > GOALS_MAX:
        return f"Three goals at most: you wrote {len(goals)}. Merge or drop some, one goal per line."
    for number, goal in enumerate(goals, 1):
        if len(goal) > GOAL_TEXT_MAX:
            which = f"Goal {number}" if len(goals) > 1 else "Your goal"
            return f"{which} is {len(goal)} characters; please keep each goal under {GOAL_TEXT_MAX}."
    return None


def rating_errors(topics: Sequence[str], ratings: Mapping[str, int | None]) -> dict[str, str]:
    """Per topic, why its confidence rating can't be stored: missing, or outside 1-5 (a tampered payload)."""
    errors: dict[str, str] = {}
    for topic in topics:
        value = ratings.get(topic)
        if value is None or not CONFIDENCE_LOW <= value <= CONFIDENCE_HIGH:
            errors[topic] = "Choose how confident you feel, from 1 to 5."
    return errors


def agreement_reminder_due(*, sessions: int, mentor_agreed: bool, mentee_agreed: bool) -> bool:
    """A pair gets one gentle reminder about their agreement once they have met and have not both agreed."""
    return sessions >= 1 and not (mentor_agreed and mentee_agreed)


@dataclass(frozen=True)
class ConfidenceAnswer:
    """One person's confidence in one topic at one stage, as the rules need it."""

    user_id: str
    topic: str
    signup: bool  # the sign-up baseline, or a later answer (midpoint, close-out)
    value: int
    answered_at: datetime


def latest_after(answers: Iterable[ConfidenceAnswer], *, now: datetime) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (person, topic) with a baseline and a later answer given by `now`: (baseline, latest later answer)."""
    baseline: dict[tuple[str, str], int] = {}
    later: dict[tuple[str, str], ConfidenceAnswer] = {}
    for answer in answers:
        if answer.answered_at > now:
            continue
        key = (answer.user_id, answer.topic)
        if answer.signup:
            baseline[key] = answer.value
        elif key not in later or answer.answered_at >= later[key].answered_at:
            later[key] = answer
    return {key: (baseline[key], later[key].value) for key in later if key in baseline}


@dataclass(frozen=True)
class SkillFigure:
    """One topic's "skills learned": of the people measured before and after, how many feel more confident."""

    topic: str
    measured: int
    rose: int

    @property
    def shown(self) -> bool:
        return self.measured >= MIN_MEASURED

    @property
    def share(self) -> float | None:
        return self.rose / self.measured if self.shown else None


def skills_learned(counts: Mapping[str, tuple[int, int]]) -> list[SkillFigure]:
    """From (measured, rose) per topic, as storage counts them: every topic, most measured first. Only figures
    over `MIN_MEASURED` people are `shown`, so nobody's answer can be singled out."""
    figures = [SkillFigure(topic, measured, min(rose, measured)) for topic, (measured, rose) in counts.items()]
    return sorted((f for f in figures if f.measured > 0), key=lambda f: (-f.measured, f.topic))
