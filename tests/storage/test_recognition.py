"""A mentor's record on real SQLite and PostgreSQL: what they mentored, and only that, in one query."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, event

from bot.domain.cycles import CycleStatus, PairOutcome
from bot.domain.recognition import MentorRecord
from storage.db import session_scope
from storage.models import Cycle, MatchRound, MentoringSession, Pairing, PairingCycle, PairingStatus
from storage.pairings import mentor_record

NOW = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)


def test_the_record_counts_their_pairs_sessions_and_settled_cycles_only(engine: Engine) -> None:
    with session_scope(engine) as session:
        match_round = MatchRound(lead_id="U0HANA", created_at=NOW)
        session.add(match_round)
        session.flush()
        assert match_round.id is not None
        cycle = Cycle(
            name="Spring 2027",
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 6, 30),
            status=CycleStatus.CLOSED,
            created_by="U0HANA",
            created_at=NOW,
            updated_at=NOW,
        )
        later = Cycle(
            name="Autumn 2027",
            starts_on=date(2027, 7, 1),
            ends_on=date(2027, 12, 31),
            created_by="U0HANA",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add_all([cycle, later])
        session.flush()
        assert cycle.id is not None and later.id is not None
        # (mentor, mentee, status, sessions, cycle outcomes)
        rows: list[tuple[str, str, PairingStatus, int, list[tuple[int, PairOutcome | None]]]] = [
            ("U0PRIYA", "U0TOM", PairingStatus.ACTIVE, 3, [(cycle.id, PairOutcome.CONTINUED), (later.id, None)]),
            ("U0PRIYA", "U0DIANE", PairingStatus.ENDED, 2, [(cycle.id, PairOutcome.CLOSED)]),
            ("U0PRIYA", "U0RAJESH", PairingStatus.DROPPED, 0, []),  # never introduced: not hers
            ("U0LEO", "U0PRIYA", PairingStatus.ACTIVE, 4, [(cycle.id, PairOutcome.CLOSED)]),  # she is the mentee
        ]
        for mentor, mentee, status, sessions, outcomes in rows:
            pairing = Pairing(
                round_id=match_round.id, mentor_id=mentor, mentee_id=mentee, status=status, created_at=NOW
            )
            session.add(pairing)
            session.flush()
            assert pairing.id is not None
            for day in range(sessions):
                session.add(
                    MentoringSession(
                        pairing_id=pairing.id, held_on=date(2027, 2, 1 + 3 * day), logged_by=mentor, logged_at=NOW
                    )
                )
            for cycle_id, outcome in outcomes:
                session.add(PairingCycle(pairing_id=pairing.id, cycle_id=cycle_id, outcome=outcome))

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with session_scope(engine) as session:
        record = mentor_record(session=session, user_id="U0PRIYA")
        assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1, "one aggregate query"
        assert record == MentorRecord(current_pairs=1, past_pairs=1, sessions=5, cycles_completed=2)
        assert mentor_record(session=session, user_id="U0TOM") == MentorRecord()
        assert mentor_record(session=session, user_id="U0LEO") == MentorRecord(
            current_pairs=1, sessions=4, cycles_completed=1
        )
