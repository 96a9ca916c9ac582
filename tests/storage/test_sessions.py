"""Logging sessions on real SQLite and PostgreSQL: one meeting counts once, whoever logs it and from where."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.models import MatchRound, MentoringSession, Pairing, PairingStatus
from storage.pairings import log_session

NOW = datetime(2027, 3, 2, 19, 0, tzinfo=UTC)  # 20:00 in Berlin, already 00:30 the next day in Kolkata


def a_pairing(engine: Engine) -> int:
    with session_scope(engine) as session:
        match_round = MatchRound(lead_id="U0HANA", created_at=NOW)
        session.add(match_round)
        session.flush()
        assert match_round.id is not None
        pairing = Pairing(
            round_id=match_round.id, mentor_id="U0PRIYA", mentee_id="U0TOM", status=PairingStatus.ACTIVE, created_at=NOW
        )
        session.add(pairing)
        session.flush()
        assert pairing.id is not None
        return pairing.id


def log(engine: Engine, pairing_id: int, held_on: date, by: str) -> bool:
    with session_scope(engine) as session:
        return log_session(session=session, pairing_id=pairing_id, held_on=held_on, by=by, note="", now=NOW)


def logged(engine: Engine) -> list[tuple[str, date]]:
    with session_scope(engine) as session:
        rows = session.exec(select(MentoringSession).order_by(MentoringSession.held_on))  # type: ignore[arg-type]
        return [(s.logged_by, s.held_on) for s in rows]


def test_partners_either_side_of_midnight_log_one_session(engine: Engine) -> None:
    pairing = a_pairing(engine)
    assert log(engine, pairing, date(2027, 3, 3), "U0PRIYA")
    assert not log(engine, pairing, date(2027, 3, 2), "U0TOM")
    assert not log(engine, pairing, date(2027, 3, 3), "U0TOM")
    assert logged(engine) == [("U0PRIYA", date(2027, 3, 3))]


def test_sessions_on_other_days_each_count(engine: Engine) -> None:
    pairing = a_pairing(engine)
    assert log(engine, pairing, date(2027, 3, 3), "U0PRIYA")
    assert log(engine, pairing, date(2027, 3, 1), "U0TOM")  # two days apart: another meeting
    assert log(engine, pairing, date(2027, 3, 4), "U0PRIYA")  # the same person, the next day: they mean it
    assert not log(engine, pairing, date(2027, 3, 4), "U0PRIYA")
    assert [d.day for _, d in logged(engine)] == [1, 3, 4]


def test_partners_logging_at_the_same_moment_count_once(engine: Engine) -> None:
    """Both click "We met" together, each on their own local date; many rounds to give the race a chance."""
    for _ in range(15):
        pairing = a_pairing(engine)
        start = threading.Barrier(2)

        def click(who: str, held_on: date, pairing: int = pairing, start: threading.Barrier = start) -> bool:
            start.wait()
            return log(engine, pairing, held_on, who)

        with ThreadPoolExecutor(2) as pool:
            results = list(
                pool.map(click, ["U0PRIYA", "U0TOM"], [date(2027, 3, 3), date(2027, 3, 2)])  # Kolkata, Berlin
            )
        assert sorted(results) == [False, True]
        with session_scope(engine) as session:
            count = session.exec(select(MentoringSession).where(MentoringSession.pairing_id == pairing)).all()
        assert len(count) == 1
