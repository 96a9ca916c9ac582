"""Sign-up rules: what a valid profile is, and a participant's status as of any moment. Pure: no Slack, no SQL."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.catalogue import Catalogue
from bot.domain.inputs import whole_number

GOALS_MAX = 500
CAPACITY_MAX = 5
# Caps the modal shows (max_selected_items) and the server enforces: a forged submission can't exceed them.
TOPICS_MAX = 10
DO_NOT_MATCH_MAX = 25
# Slack user ids: U or W, then letters and digits (storage keeps 32 characters).
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
PAUSE_DEFAULT_WEEKS = 2
PAUSE_MAX_WEEKS = 26


class Role(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"

    @classmethod
    def of(cls, *, is_mentor: bool, is_mentee: bool) -> Role:
        if is_mentor and is_mentee:
            return cls.BOTH
        return cls.MENTOR if is_mentor else cls.MENTEE


class Seniority(enum.StrEnum):
    """Ordered from most junior to most senior; matching compares `rank`."""

    EARLY_CAREER = "early_career"
    PROFESSIONAL = "professional"
    SENIOR = "senior"
    MANAGER = "manager"
    DIRECTOR = "director"
    EXECUTIVE = "executive"

    @property
    def rank(self) -> int:
        return list(Seniority).index(self)

    @property
    def label(self) -> str:
        return _SENIORITY_LABELS[self]


_SENIORITY_LABELS = {
    Seniority.EARLY_CAREER: "Early career (0-2 years)",
    Seniority.PROFESSIONAL: "Professional (2-5 years)",
    Seniority.SENIOR: "Senior individual contributor",
    Seniority.MANAGER: "Manager",
    Seniority.DIRECTOR: "Director / senior manager",
    Seniority.EXECUTIVE: "Executive",
}


class Cadence(enum.StrEnum):
    """How often a pair means to meet; declared from most to least frequent (matching compares positions)."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"

    @property
    def days(self) -> int:
        """One period as elapsed days; monthly is a flat 30 so that it composes with paused time."""
        return _CADENCE_DAYS[self]

    @property
    def label(self) -> str:
        """As a menu shows it: "Every two weeks"."""
        return _CADENCE_LABELS[self]

    @property
    def phrase(self) -> str:
        """As a sentence says it: "meet every two weeks"."""
        return self.label.lower()

    @classmethod
    def for_pair(cls, mentor: str | None, mentee: str | None) -> Cadence:
        """The pair's cadence from both people's wishes: the slower of the two, which both can keep (either
        partner can change it afterwards)."""
        order = list(cls)
        return max(cls.parse(mentor), cls.parse(mentee), key=order.index)

    @classmethod
    def parse(cls, value: str | None) -> Cadence:
        """A stored or typed cadence, reading anything unknown as the program's default, every two weeks."""
        if value is None:
            return cls.BIWEEKLY
        try:
            return cls(value)
        except ValueError:
            return cls.BIWEEKLY


_CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.MONTHLY: 30}
_CADENCE_LABELS = {Cadence.WEEKLY: "Weekly", Cadence.BIWEEKLY: "Every two weeks", Cadence.MONTHLY: "Monthly"}


class Status(enum.StrEnum):
    NOT_JOINED = "not_joined"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


@dataclass(frozen=True)
class SignupForm:
    """What the sign-up modal collected, before validation. Missing answers are None or empty."""

    role: Role | None
    teach: tuple[str, ...] = ()
    learn: tuple[str, ...] = ()
    seniority: Seniority | None = None
    department: str | None = None
    cadence: Cadence | None = None
    capacity: int | None = 1
    goals: str = ""
    manager_id: str | None = None
    sponsor_id: str | None = None
    do_not_match: tuple[str, ...] = ()
    consent: bool = False
    unknown: dict[str, str] = field(default_factory=dict)


def kept_topics(form: SignupForm, *, perspective: frozenset[str]) -> SignupForm:
    """The topics a sign-up keeps. A mentor's own wishes to learn, and a mentee's topics to teach, only mean
    something in the other direction of reverse mentoring: perspective a senior mentee shares back with the
    junior who mentors them. So a pure mentor keeps the perspective topics they want to learn back, a pure mentee
    the perspective topics they can share; "both" keeps everything."""
    if form.role is Role.MENTOR:
        return replace(form, learn=tuple(t for t in form.learn if t in perspective))
    if form.role is Role.MENTEE:
        return replace(form, teach=tuple(t for t in form.teach if t in perspective))
    return form


def validate_signup(form: SignupForm, *, user_id: str, catalogue: Catalogue) -> dict[str, str]:
    """Check a sign-up; returns {field name: friendly message}, empty when it is fine.

    Field names are SignupForm's; the modal maps them to its blocks.
    """
    errors: dict[str, str] = dict(form.unknown)
    if form.role is None:
        errors["role"] = "Choose whether you want to mentor, be mentored, or both."
    teaches = form.role in (Role.MENTOR, Role.BOTH)
    learns = form.role in (Role.MENTEE, Role.BOTH)
    known = catalogue.topic_ids
    if teaches and not form.teach:
        errors["teach"] = "As a mentor, pick at least one topic you can teach."
    if learns and not form.learn:
        errors["learn"] = "As a mentee, pick at least one topic you want to learn."
    for name, chosen in (("teach", form.teach), ("learn", form.learn)):
        stale = [t for t in chosen if t not in known]
        if stale and name not in errors:
            errors[name] = "Some of these topics are no longer offered; please choose again."
        elif len(chosen) > TOPICS_MAX or len(set(chosen)) != len(chosen):
            errors[name] = f"Pick up to {TOPICS_MAX} different topics."
    if form.seniority is None:
        errors["seniority"] = "Choose your seniority level; it helps us pair juniors with seniors."
    if not form.department:
        errors["department"] = "Choose your department, so we never pair you within your own team."
    elif form.department not in catalogue.departments:
        errors["department"] = "That department is no longer in the list; please choose again."
    if form.cadence is None:
        errors["cadence"] = "Choose how often you would like to meet."
    if teaches and (form.capacity is None or not 1 <= form.capacity <= CAPACITY_MAX):
        errors["capacity"] = f"Enter how many mentees you can take: a whole number from 1 to {CAPACITY_MAX}."
    if len(form.goals) > GOALS_MAX:
        errors["goals"] = f"Please keep your goals under {GOALS_MAX} characters."
    if form.manager_id == user_id:
        errors["manager"] = "You can't be your own manager; leave this empty if you have none here."
    if form.sponsor_id == user_id:
        errors["sponsor"] = "Your sponsor should be someone else, usually an executive who backs your growth."
    if user_id in form.do_not_match:
        errors["do_not_match"] = "No need to add yourself here."
    elif len(form.do_not_match) > DO_NOT_MATCH_MAX:
        errors["do_not_match"] = f"Please name at most {DO_NOT_MATCH_MAX} people here."
    people: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("manager", (form.manager_id,) if form.manager_id else ()),
        ("sponsor", (form.sponsor_id,) if form.sponsor_id else ()),
        ("do_not_match", form.do_not_match),
    )
    for name, chosen in people:
        if name not in errors and not all(_SLACK_USER_ID.match(u) for u in chosen):
            errors[name] = "Choose people from the list."
    if not form.consent:
        errors["consent"] = "Please tick the box to agree, or close this window if you'd rather not join."
    return errors


def status_as_of(*, stored: str | None, paused_until: datetime | None, now: datetime) -> Status:
    """A participant's status at `now`: a pause whose end has passed counts as active, even before the
    scheduler has written that down, so nobody is told they are paused when they are not."""
    if stored is None:
        return Status.NOT_JOINED
    if stored == Status.PAUSED and paused_until is not None and paused_until <= now:
        return Status.ACTIVE
    return Status(stored)


class HasStatus(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def paused_until(self) -> datetime | None: ...


def current_status(person: HasStatus | None, now: datetime) -> Status:
    """:func:`status_as_of` for a stored participant (None: not in the program, or their data was deleted)."""
    if person is None:
        return Status.NOT_JOINED
    return status_as_of(stored=person.status, paused_until=person.paused_until, now=now)


def pause_until(now: datetime, weeks: int) -> datetime:
    """When a pause of `weeks` started at `now` ends."""
    return now + timedelta(weeks=weeks)


def parse_pause_weeks(text: str) -> int | None:
    """Weeks from `/mentoring pause [weeks]`; None when the text is not a sensible number of weeks."""
    text = text.strip().lower().removesuffix("weeks").removesuffix("week").removesuffix("w").strip()
    if not text:
        return PAUSE_DEFAULT_WEEKS
    return whole_number(text, low=1, high=PAUSE_MAX_WEEKS)
