"""Participant queries on real SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from bot.domain.people import Cadence, Role, Seniority, SignupForm, Status
from storage.db import StoreUnavailable, make_engine, session_scope
from storage.models import Participant
from storage.participants import (
    SlackIdentity,
    StoredProfile,
    expired_pauses,
    get_participant,
    leave_program,
    pause_participant,
    read_profile,
    upsert_participant,
)
from storage.privacy import forget_person

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
IDENTITY = SlackIdentity(user_id="U0PRIYA", team_id="T1", name="Priya Nair", title="Analyst", tz="Asia/Kolkata")


def form(**changes: object) -> SignupForm:
    base: dict[str, object] = dict(
        role=Role.MENTOR,
        teach=("genai", "data_analytics"),
        learn=("leadership",),
        seniority=Seniority.EARLY_CAREER,
        department="Data",
        cadence=Cadence.BIWEEKLY,
        capacity=2,
        goals="  Share what I know  ",
        sponsor_id="U0SPONSOR",
        do_not_match=("U0B", "U0A", "U0B"),
        consent=True,
    )
    base.update(changes)
    return SignupForm(**base)  # type: ignore[arg-type]


def count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(Participant)).one()


def test_upsert_creates_then_updates_one_row(engine: Engine) -> None:
    with session_scope(engine) as session:
        participant, created = upsert_participant(session=session, form=form(), identity=IDENTITY, now=NOW)
    assert created
    assert participant.learn_topics == ["leadership"]  # stored as given: the sign-up use case filters them
    assert participant.goals == "Share what I know"
    assert participant.do_not_match == ["U0A", "U0B"]
    later = NOW + timedelta(days=1)
    with session_scope(engine) as session:
        participant, created = upsert_participant(
            session=session, form=form(role=Role.BOTH, capacity=1), identity=IDENTITY, now=later
        )
    assert not created
    assert count(engine) == 1
    with session_scope(engine) as session:
        stored = get_participant(session=session, user_id="U0PRIYA")
        assert stored is not None
        assert (stored.is_mentor, stored.is_mentee, stored.capacity) == (True, True, 1)
        assert stored.learn_topics == ["leadership"]
        assert stored.joined_at == NOW and stored.updated_at == later
        assert stored.tz == "Asia/Kolkata"


def test_concurrent_submissions_never_duplicate(engine: Engine) -> None:
    def submit(i: int) -> None:
        with session_scope(engine) as session:
            upsert_participant(session=session, form=form(goals=f"try {i}"), identity=IDENTITY, now=NOW)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(submit, range(8)))
    assert count(engine) == 1


def test_datetimes_come_back_aware_utc(engine: Engine) -> None:
    until = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    with session_scope(engine) as session:
        participant, _ = upsert_participant(session=session, form=form(), identity=IDENTITY, now=NOW)
        pause_participant(session=session, participant=participant, until=until, now=NOW)
    with session_scope(engine) as session:
        stored = get_participant(session=session, user_id="U0PRIYA")
        assert stored is not None and stored.paused_until == until
        assert stored.paused_until.tzinfo is not None
        assert expired_pauses(session=session, now=until - timedelta(seconds=1)) == []
        assert [p.slack_user_id for p in expired_pauses(session=session, now=until)] == ["U0PRIYA"]


def test_leave_keeps_or_deletes(engine: Engine) -> None:
    with session_scope(engine) as session:
        participant, _ = upsert_participant(session=session, form=form(), identity=IDENTITY, now=NOW)
        leave_program(session=session, participant=participant, now=NOW)
    with session_scope(engine) as session:
        stored = get_participant(session=session, user_id="U0PRIYA")
        assert stored is not None and stored.status == Status.LEFT and stored.left_at == NOW
        # Rejoining reactivates the same row, and stops the retention clock.
        again, created = upsert_participant(session=session, form=form(), identity=IDENTITY, now=NOW)
        assert not created and again.status == Status.ACTIVE and again.left_at is None
        forget_person(session=session, user_id="U0PRIYA")
    assert count(engine) == 0


def test_read_profile_gives_what_the_orm_row_holds(engine: Engine) -> None:
    with session_scope(engine) as session:
        upsert_participant(session=session, form=form(role=Role.BOTH), identity=IDENTITY, now=NOW)
        row = get_participant(session=session, user_id="U0PRIYA")
        assert row is not None
        pause_participant(session=session, participant=row, until=NOW + timedelta(weeks=2), now=NOW)
    with session_scope(engine) as session:
        row = get_participant(session=session, user_id="U0PRIYA")
    profile = read_profile(engine=engine, user_id="U0PRIYA")
    assert row is not None and profile is not None
    for field in fields(StoredProfile):
        assert getattr(profile, field.name) == getattr(row, field.name), field.name
    assert profile.status is Status.PAUSED and profile.paused_until == NOW + timedelta(weeks=2)
    assert isinstance(profile.seniority, Seniority) and isinstance(profile.cadence, Cadence)
    assert read_profile(engine=engine, user_id="U0NOBODY") is None


def test_read_profile_says_the_store_is_down_as_sessions_do(tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite cannot open it, as when a server is unreachable.
    engine = make_engine(f"sqlite:///{tmp_path}")
    with pytest.raises(StoreUnavailable):
        read_profile(engine=engine, user_id="U0PRIYA")


def test_sessions_after_read_profile_are_still_transactions(engine: Engine) -> None:
    # read_profile reads in autocommit on PostgreSQL; the pooled connection must not keep that for the next user.
    with session_scope(engine) as session:
        upsert_participant(session=session, form=form(), identity=IDENTITY, now=NOW)
    for _ in range(3):  # the pool hands the same connection back
        read_profile(engine=engine, user_id="U0PRIYA")
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        participant = get_participant(session=session, user_id="U0PRIYA")
        assert participant is not None
        pause_participant(session=session, participant=participant, until=NOW + timedelta(weeks=2), now=NOW)
        session.flush()
        raise RuntimeError("the use case failed after writing")
    profile = read_profile(engine=engine, user_id="U0PRIYA")
    assert profile is not None and profile.status is Status.ACTIVE
