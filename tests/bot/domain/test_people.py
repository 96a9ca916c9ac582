"""Sign-up rules and status, with no Slack and no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.catalogue import load_catalogue
from bot.domain.people import (
    PAUSE_DEFAULT_WEEKS,
    Cadence,
    Role,
    Seniority,
    SignupForm,
    Status,
    kept_topics,
    parse_pause_weeks,
    status_as_of,
    validate_signup,
)

CATALOGUE = load_catalogue()
GOOD = SignupForm(
    role=Role.MENTOR,
    teach=("genai",),
    seniority=Seniority.EARLY_CAREER,
    department="Engineering",
    cadence=Cadence.WEEKLY,
    capacity=1,
    consent=True,
)


def errors(**changes: object) -> dict[str, str]:
    return validate_signup(replace(GOOD, **changes), user_id="U0ME", catalogue=CATALOGUE)  # type: ignore[arg-type]


def test_a_complete_mentor_is_valid() -> None:
    assert errors() == {}


def test_mentor_needs_something_to_teach_and_mentee_something_to_learn() -> None:
    assert set(errors(teach=())) == {"teach"}
    assert set(errors(role=Role.MENTEE, teach=())) == {"learn"}
    assert set(errors(role=Role.BOTH)) == {"learn"}
    assert errors(role=Role.MENTEE, teach=(), learn=("leadership",)) == {}


def test_every_required_answer_is_asked_for_kindly() -> None:
    found = validate_signup(SignupForm(role=None, capacity=None), user_id="U0ME", catalogue=CATALOGUE)
    assert set(found) == {"role", "seniority", "department", "cadence", "consent"}
    assert all(message.endswith(".") for message in found.values())


def test_bounds_and_self_references() -> None:
    assert set(errors(capacity=0)) == {"capacity"}
    assert set(errors(capacity=6)) == {"capacity"}
    assert errors(role=Role.MENTEE, teach=(), learn=("leadership",), capacity=None) == {}  # capacity is for mentors
    assert set(errors(goals="x" * 501)) == {"goals"}
    assert set(errors(manager_id="U0ME", sponsor_id="U0ME", do_not_match=("U0ME",))) == {
        "manager",
        "sponsor",
        "do_not_match",
    }


def test_topics_and_departments_must_be_in_the_catalogue() -> None:
    assert set(errors(teach=("astrology",))) == {"teach"}
    assert set(errors(department="Narnia")) == {"department"}


def test_status_as_of_ends_pauses_on_time() -> None:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert status_as_of(stored=None, paused_until=None, now=now) is Status.NOT_JOINED
    assert status_as_of(stored="paused", paused_until=now + timedelta(seconds=1), now=now) is Status.PAUSED
    assert status_as_of(stored="paused", paused_until=now, now=now) is Status.ACTIVE
    assert status_as_of(stored="left", paused_until=None, now=now) is Status.LEFT


@pytest.mark.parametrize(
    ("text", "weeks"),
    [("", PAUSE_DEFAULT_WEEKS), ("3", 3), ("3 weeks", 3), ("1week", 1), ("26", 26), ("0", None), ("27", None)],
)
def test_pause_weeks(text: str, weeks: int | None) -> None:
    assert parse_pause_weeks(text) == weeks


def test_pause_weeks_rejects_words() -> None:
    assert parse_pause_weeks("forever") is None
    assert parse_pause_weeks("-2") is None


def test_seniority_is_ordered() -> None:
    assert [s.rank for s in Seniority] == list(range(len(Seniority)))
    assert Seniority.EARLY_CAREER.rank < Seniority.EXECUTIVE.rank


def test_each_side_keeps_only_the_perspective_it_can_share_or_learn_back() -> None:
    perspective = CATALOGUE.perspective_ids
    assert {"leadership", "strategy"} <= perspective and "genai" not in perspective
    mentor = replace(GOOD, learn=("genai", "strategy"))
    assert kept_topics(mentor, perspective=perspective).learn == ("strategy",)
    assert kept_topics(mentor, perspective=perspective).teach == ("genai",)
    mentee = replace(GOOD, role=Role.MENTEE, teach=("leadership", "no_code"), learn=("genai",))
    assert kept_topics(mentee, perspective=perspective).teach == ("leadership",)
    assert kept_topics(mentee, perspective=perspective).learn == ("genai",)
    both = replace(GOOD, role=Role.BOTH, learn=("genai", "strategy"))
    assert kept_topics(both, perspective=perspective) == both
