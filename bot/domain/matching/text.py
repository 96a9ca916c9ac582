"""Plain-language wording for pair explanations and for why someone was left unmatched.

All wording lives here so a copy change never touches the optimisation code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from bot.domain.matching.model import Candidate, Constraint

Side = Literal["mentee", "mentor"]

NOTABLE_WAIT_DAYS = 30
"""Waits at least this long are mentioned in a pair's reasons."""


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def labels_of(topics: Sequence[str], labels: Mapping[str, str]) -> list[str]:
    """Display labels for topic ids, falling back to the id itself."""
    return [labels.get(t, t) for t in topics]


def duration(minutes: int) -> str:
    """``"1 h"``, ``"5 h 30 min"``, ``"45 min"``."""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def pair_reasons(
    mentor: Candidate,
    mentee: Candidate,
    *,
    shared: Sequence[str],
    labels: Mapping[str, str],
    window_minutes: int,
    back: Sequence[str] = (),
    shared_minutes: int,
    times_paired_before: int,
    mentor_waited_days: float,
    mentee_waited_days: float,
) -> tuple[str, ...]:
    """Why a pair fits, e.g. ``"Priya teaches Generative AI & new tools, which Tom wants to learn"``.

    ``back`` is the perspective the mentee can share that the mentor wants: named in the first reason ("..., and
    Tom can share Strategy and the bigger picture in return"), since it is what makes the pair reciprocal.
    """
    topics = f"{mentor.name} teaches {join_words(labels_of(shared, labels))}, which {mentee.name} wants to learn"
    wanted = list(dict.fromkeys(mentee.learns))
    if len(wanted) > 1 and shared and shared[0] == wanted[0]:
        topics += f" ({mentee.name}'s first choice)"
    if back:
        topics += f", and {mentee.name} can share {join_words(labels_of(back, labels))} in return"
    reasons = [topics]

    departments = f"{mentor.department} ↔ {mentee.department}"
    if times_paired_before:
        departments += f" (paired {_plural(times_paired_before, 'time')} before)"
    reasons.append(departments)

    apart = abs(mentor.utc_offset_minutes - mentee.utc_offset_minutes) % (24 * 60)
    apart = min(apart, 24 * 60 - apart)
    if apart == 0:
        reasons.append("same time zone")
    elif shared_minutes == 0:
        reasons.append(f"{duration(apart)} apart (no shared working hours)")
    elif 2 * shared_minutes < window_minutes:
        # Only worth saying when meeting times get tight.
        reasons.append(f"{duration(apart)} apart ({duration(shared_minutes)} of shared working hours)")
    else:
        reasons.append(f"{duration(apart)} apart")

    if mentor.cadence == mentee.cadence:
        reasons.append(f"both prefer {mentor.cadence} meetings")
    else:
        reasons.append(f"{mentor.name} prefers {mentor.cadence}, {mentee.name} {mentee.cadence} meetings")

    gap = mentee.level - mentor.level
    if gap == 0:
        reasons.append("same level (reciprocal mentoring)")
    else:
        reasons.append(f"{mentee.name} is {_plural(gap, 'level')} more senior")

    for person, days in ((mentee, mentee_waited_days), (mentor, mentor_waited_days)):
        if days >= NOTABLE_WAIT_DAYS:
            reasons.append(f"{person.name} has waited {int(days)} days")
    return tuple(reasons)


# What rules out the people on the other side, as a predicate about one of them ("... is in the same
# department") and as a short tally label for mixed cases ("2 same department").
_PREDICATE: dict[Side, dict[Constraint, str]] = {
    "mentee": {
        Constraint.NO_CAPACITY: "has no mentoring capacity this round",
        Constraint.NOT_MORE_JUNIOR: "is not more junior",
        Constraint.SAME_DEPARTMENT: "is in the same department",
        Constraint.MANAGER: "is in their reporting line",
        Constraint.SPONSOR: "is their sponsor",
        Constraint.PAST_PAIR: "was paired with them before",
        Constraint.DO_NOT_MATCH: "is excluded by a do-not-match preference",
    },
    "mentor": {
        Constraint.NOT_MORE_JUNIOR: "is not more senior",
        Constraint.SAME_DEPARTMENT: "is in the same department",
        Constraint.MANAGER: "is in their reporting line",
        Constraint.SPONSOR: "is sponsored by them",
        Constraint.PAST_PAIR: "was paired with them before",
        Constraint.DO_NOT_MATCH: "is excluded by a do-not-match preference",
    },
}
_TALLY: dict[Side, dict[Constraint, str]] = {
    "mentee": {
        Constraint.NO_CAPACITY: "no capacity",
        Constraint.NOT_MORE_JUNIOR: "not more junior",
        Constraint.SAME_DEPARTMENT: "same department",
        Constraint.MANAGER: "reporting line",
        Constraint.SPONSOR: "their sponsor",
        Constraint.PAST_PAIR: "paired before",
        Constraint.DO_NOT_MATCH: "do-not-match",
    },
    "mentor": {
        Constraint.NOT_MORE_JUNIOR: "not more senior",
        Constraint.SAME_DEPARTMENT: "same department",
        Constraint.MANAGER: "reporting line",
        Constraint.SPONSOR: "sponsored by them",
        Constraint.PAST_PAIR: "paired before",
        Constraint.DO_NOT_MATCH: "do-not-match",
    },
}


def nothing_listed(side: Side) -> str:
    """Reason when the person listed no topics for the side in question."""
    if side == "mentee":
        return "hasn't said what they want to learn"
    return "hasn't listed anything they can teach"


def nobody_on_topic(side: Side, topics: Sequence[str]) -> str:
    """Reason when nobody on the other side even shares a topic."""
    if side == "mentee":
        return f"no mentor teaches {join_words(topics, 'or')}"
    return f"nobody wants to learn what they teach ({join_words(topics, 'or')})"


def all_blocked(
    side: Side,
    *,
    topics: Sequence[str],
    count: int,
    tally: Mapping[Constraint, int],
    covering: Constraint | None,
    allow_equal_levels: bool,
) -> str:
    """Reason when everyone sharing a topic is ruled out by hard constraints.

    Args:
        side: The role of the person left unmatched.
        topics: Labels of the topics in question.
        count: How many people on the other side share a topic with them.
        tally: How many of those each constraint rules out (one constraint per person, the first in order).
        covering: A constraint that rules out all of them, if there is one.
        allow_equal_levels: Whether equal levels were allowed (changes the level wording).
    """
    what = join_words(topics, "or")
    if side == "mentee":
        subject = f"the only mentor who teaches {what}" if count == 1 else f"every mentor who teaches {what}"
        group = f"{count} mentors who teach {what}"
    else:
        subject = f"the only person who wants to learn {what}" if count == 1 else f"everyone who wants to learn {what}"
        group = f"{count} people who want to learn {what}"
    if covering is Constraint.NOT_MORE_JUNIOR and count > 1:
        same = " or at the same level" if allow_equal_levels else ""
        if side == "mentee":
            return f"no one more junior{same} teaches {what}"
        return f"no one more senior{same} wants to learn {what}"
    if covering is not None:
        predicate = _PREDICATE[side][covering]
        if covering is Constraint.NOT_MORE_JUNIOR and allow_equal_levels:
            predicate = "is more senior" if side == "mentee" else "is more junior"
        return f"{subject} {predicate}"
    parts = [f"{n} {_TALLY[side][code]}" for code, n in tally.items() if n]
    return f"none of the {group} fit: {', '.join(parts)}"


def learn_it_back(reason: str, topics: Sequence[str]) -> str:
    """``reason``, plus what would match a junior who only wants perspective: mentors are more junior than their
    mentees, so nobody teaches it to them; seniors share it back with the junior who mentors them."""
    return (
        f"{reason}. In reverse mentoring, perspective like {join_words(topics)} comes back from the senior you mentor: "
        'choose "Both" with `/mentoring edit` and add something you can teach, and we can match you with a senior '
        "who shares it in return"
    )


def learn_it_back_as_mentor(reason: str, topics: Sequence[str]) -> str:
    """``reason``, for someone who mentors too: the perspective they want comes with a mentee."""
    back = f"in reverse mentoring, perspective like {join_words(topics)} comes back from the senior you mentor"
    return f"{reason} ({back})"


def outscored(side: Side, *, suitable: int, busy_other_role: int) -> str:
    """Reason when suitable partners exist but the optimum gave them to others.

    Args:
        side: The role of the person left unmatched.
        suitable: How many people on the other side could have been paired with them.
        busy_other_role: How many of those took the opposite role this round ("both" people).
    """
    if side == "mentee":
        if suitable == 1 and busy_other_role:
            return "their only suitable mentor is being mentored this round instead (outscored elsewhere)"
        if busy_other_role:
            return (
                f"all {suitable} suitable mentors are at capacity or are being mentored this round "
                "(outscored elsewhere)"
            )
        return "all suitable mentors are at capacity (outscored elsewhere)"
    if suitable == 1 and busy_other_role:
        return "the only person they could mentor is mentoring this round instead (outscored elsewhere)"
    if busy_other_role:
        return "everyone they could mentor is matched elsewhere or is mentoring this round (outscored elsewhere)"
    return "everyone they could mentor was matched with a better-fitting mentor (outscored elsewhere)"


def zero_gain() -> str:
    """Reason when a pairing was possible but would add nothing to the score (some weights are 0)."""
    return "the pairings open to them score 0, so the optimum leaves them out"


NO_CAPACITY = "has no mentoring capacity this round"
NOT_OPTED_IN = "hasn't opted in as mentor or mentee"
