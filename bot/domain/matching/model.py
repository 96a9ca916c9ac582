"""Plain data for a match round: candidates and rules in, a proposal out.

Nothing here knows about Slack or the database; storage maps its rows onto these frozen dataclasses and the
handlers render a :class:`Proposal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.domain.people import Cadence

CADENCES: tuple[str, ...] = tuple(c.value for c in Cadence)
"""Meeting cadences, in order of frequency (adjacent cadences are a partial match)."""

ROLES: tuple[str, ...] = ("mentor", "mentee", "both", "none")
"""Roles an unmatched person is reported under (what they opted in as)."""


class Constraint(StrEnum):
    """A hard constraint a (mentor, mentee) pair can violate.

    The declaration order is the order reasons are reported in when several constraints rule a pair out.
    """

    SAME_PERSON = "same_person"
    NOT_A_MENTOR = "not_a_mentor"
    NO_CAPACITY = "no_capacity"
    NOT_A_MENTEE = "not_a_mentee"
    NOT_MORE_JUNIOR = "not_more_junior"
    SAME_DEPARTMENT = "same_department"
    MANAGER = "manager"
    SPONSOR = "sponsor"
    PAST_PAIR = "past_pair"
    DO_NOT_MATCH = "do_not_match"
    NO_SHARED_TOPIC = "no_shared_topic"


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """Someone in the pool of a match round.

    Attributes:
        id: Slack user id; unique within a pool.
        name: Display name used in explanations.
        can_mentor: Opted in to mentor (teach a digital skill). With ``can_mentee`` too, the person is "both"
            and may take either side in a round, never both at once.
        can_mentee: Opted in to be mentored.
        teaches: Topic ids they can teach.
        learns: Topic ids they want to learn, most wanted first (later duplicates are ignored).
        level: Seniority rank, 0 early career ... 5 executive. A mentor must be more junior than the mentee.
        department: Department name; pairs are always cross-department.
        manager_id: Id of their manager, if known.
        sponsor_id: Id of their sponsor, if any; a sponsor never mentors the person they sponsor.
        do_not_match: Ids they must not be paired with (honoured in both directions).
        capacity: How many mentees they can take as a mentor (group mentoring when above 1).
        cadence: Preferred meeting cadence, one of :data:`CADENCES`.
        utc_offset_minutes: Their UTC offset, e.g. 330 for India, -300 for US Eastern (standard time).
        gives_back: Perspective topics they can share back with the junior who mentors them (a senior's
            strategy, leadership ...). Only a bonus: a pair still needs a topic the mentor teaches.
        wants_back: Perspective topics they want to learn back from a senior they mentor, most wanted first.
        waiting_since: When they joined the queue; longer waits are favoured. Use the same kind of datetime
            (naive or aware) as the round's ``now``.
    """

    id: str
    name: str
    can_mentor: bool
    can_mentee: bool
    teaches: tuple[str, ...]
    learns: tuple[str, ...]
    level: int
    department: str
    waiting_since: datetime
    manager_id: str | None = None
    sponsor_id: str | None = None
    do_not_match: frozenset[str] = frozenset()
    capacity: int = 1
    cadence: str = "biweekly"
    utc_offset_minutes: int = 0
    gives_back: tuple[str, ...] = ()
    wants_back: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError(f"{self.id}: capacity must be >= 0, got {self.capacity}")
        if self.cadence not in CADENCES:
            raise ValueError(f"{self.id}: cadence must be one of {CADENCES}, got {self.cadence!r}")
        if not -24 * 60 < self.utc_offset_minutes < 24 * 60:
            raise ValueError(f"{self.id}: utc_offset_minutes out of range: {self.utc_offset_minutes}")

    @property
    def role(self) -> str:
        """What the person opted in as: ``"mentor"``, ``"mentee"``, ``"both"`` or ``"none"``."""
        if self.can_mentor and self.can_mentee:
            return "both"
        if self.can_mentor:
            return "mentor"
        return "mentee" if self.can_mentee else "none"


@dataclass(frozen=True)
class ScoreWeights:
    """Relative weight of each soft-score component; only the ratios matter (scores are scaled to 0-100).

    ``reciprocal`` is the perspective the senior mentee can share back that the junior mentor wants: a bonus,
    weighted well below ``topics`` because the program exists for the main direction (junior teaches senior).
    """

    topics: float = 40.0
    hours: float = 20.0
    seniority: float = 15.0
    cadence: float = 10.0
    fairness: float = 10.0
    reach: float = 5.0
    reciprocal: float = 10.0

    def __post_init__(self) -> None:
        values = self.as_tuple()
        if any(v < 0 for v in values) or sum(values) <= 0:
            raise ValueError("score weights must be >= 0 with a positive sum")

    def as_tuple(self) -> tuple[float, float, float, float, float, float, float]:
        """The weights in component order: topics, hours, seniority, cadence, fairness, reach, reciprocal."""
        return (self.topics, self.hours, self.seniority, self.cadence, self.fairness, self.reach, self.reciprocal)


@dataclass(frozen=True, kw_only=True)
class MatchRules:
    """Settings for a match round; the defaults suit a typical reverse-mentoring program.

    Attributes:
        allow_equal_levels: Allow mentor and mentee at the same level (reciprocal mentoring).
        working_hours: Local working day as (start hour, end hour), the same for everyone; an end before the
            start means an overnight shift.
        weights: Relative weights of the soft-score components.
        topic_rank_decay: Weight of the mentee's n-th wanted topic is ``decay ** n`` (first = 1), so covering
            the most wanted topic counts most.
        ideal_level_gap: Levels between mentee and mentor that fit best (inclusive range).
        gap_penalty_below: Seniority fit lost per level below the ideal gap.
        gap_penalty_above: Seniority fit lost per level above the ideal gap (huge gaps are a little worse).
        fairness_horizon_days: Waiting this long (or longer) earns the full fairness component.
    """

    allow_equal_levels: bool = False
    working_hours: tuple[int, int] = (9, 17)
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    topic_rank_decay: float = 0.7
    ideal_level_gap: tuple[int, int] = (2, 3)
    gap_penalty_below: float = 0.2
    gap_penalty_above: float = 0.15
    fairness_horizon_days: float = 90.0

    def __post_init__(self) -> None:
        start, end = self.working_hours
        if not (0 <= start < 24 and 0 < end <= 24 and start != end):
            raise ValueError(
                f"working_hours must be (start, end) with 0 <= start < 24, 0 < end <= 24 and "
                f"start != end, got {self.working_hours}"
            )
        if not 0 < self.topic_rank_decay <= 1:
            raise ValueError("topic_rank_decay must be in (0, 1]")
        low, high = self.ideal_level_gap
        if low > high:
            raise ValueError("ideal_level_gap must be (low, high) with low <= high")
        if self.gap_penalty_below < 0 or self.gap_penalty_above < 0 or self.fairness_horizon_days <= 0:
            raise ValueError("gap penalties must be >= 0 and fairness_horizon_days > 0")

    @property
    def window_minutes(self) -> int:
        """Length of the working day in minutes."""
        start, end = self.working_hours
        return (end - start) * 60 if end > start else (end + 24 - start) * 60


DEFAULT_RULES = MatchRules()


@dataclass(frozen=True)
class PairScore:
    """How well one mentor fits one mentee, and why.

    Attributes:
        mentor_id: The mentor's id.
        mentee_id: The mentee's id.
        score: Soft score on a 0-100 scale (sum of ``breakdown``).
        shared_topics: Topics the mentor teaches that the mentee wants, in the mentee's priority order.
        reasons: Plain-language reasons, most important first.
        breakdown: Points per component (topics, hours, seniority, cadence, fairness, reach, reciprocal).
        back_topics: Perspective the mentee can share back that the mentor wants, in the mentor's order.
    """

    mentor_id: str
    mentee_id: str
    score: float
    shared_topics: tuple[str, ...]
    reasons: tuple[str, ...]
    breakdown: tuple[tuple[str, float], ...] = ()
    back_topics: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """The reasons as one sentence-like line, e.g. for a Slack message."""
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class ProposedMatch:
    """One mentor and the mentee(s) proposed for them (a group when the mentor's capacity is above 1)."""

    mentor_id: str
    mentee_ids: tuple[str, ...]
    pairs: tuple[PairScore, ...]


@dataclass(frozen=True)
class Unmatched:
    """Someone the proposal leaves out, with the reason in plain language.

    ``role`` is what they opted in as (see :data:`ROLES`).
    """

    id: str
    role: str
    reason: str


@dataclass(frozen=True)
class Proposal:
    """The whole-pool optimum for a round.

    Attributes:
        matches: Proposed matches, ordered by mentor id.
        unmatched: Everyone left out, ordered by id.
        total_score: Sum of the pair scores; no valid assignment scores higher, unless the solver ran out of
            time, when no valid assignment scores more than ``total_score + gap``.
        gap: 0 for the proven optimum; otherwise the most a better assignment could add to the total.
    """

    matches: tuple[ProposedMatch, ...]
    unmatched: tuple[Unmatched, ...]
    total_score: float
    gap: float = 0.0
