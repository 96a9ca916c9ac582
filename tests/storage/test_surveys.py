"""Survey storage on SQLite and PostgreSQL: answering again replaces (one row), and would-recommend counts only
finished cycles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from bot.domain.cycles import ConfidenceStage, CycleStatus, SurveyKind
from storage.db import session_scope
from storage.models import Confidence, Cycle, MatchRound, Pairing, SurveyAnswer
from storage.surveys import recommend_counts, save_answer, save_confidence

NOW = datetime(2027, 4, 20, 9, 0, tzinfo=UTC)


def setup(engine: Engine) -> tuple[int, int, list[int]]:
    """Two cycles (one closed, one open) and three pairs; returns their ids."""
    with session_scope(engine) as session:
        cycles = [
            Cycle(
                name=name,
                starts_on=date(2026, 11, 1),
                ends_on=date(2027, 4, 30),
                status=status,
                created_by="U0HANA",
                created_at=NOW,
                updated_at=NOW,
            )
            for name, status in (("Spring", CycleStatus.CLOSED), ("Autumn", CycleStatus.OPEN))
        ]
        session.add_all(cycles)
        match_round = MatchRound(lead_id="U0HANA", created_at=NOW)
        session.add(match_round)
        session.flush()
        assert match_round.id is not None
        pairs = [
            Pairing(round_id=match_round.id, mentor_id=f"U0M{i}", mentee_id=f"U0E{i}", created_at=NOW) for i in range(3)
        ]
        session.add_all(pairs)
        session.flush()
        return cycles[0].id or 0, cycles[1].id or 0, [p.id or 0 for p in pairs]


def answer(cycle_id: int, pairing_id: int, user_id: str, recommend: int, at: datetime) -> SurveyAnswer:
    return SurveyAnswer(
        cycle_id=cycle_id,
        pairing_id=pairing_id,
        user_id=user_id,
        kind=SurveyKind.CLOSEOUT,
        value=4,
        recommend=recommend,
        continue_pair=True,
        answered_at=at,
        updated_at=at,
    )


def test_answering_again_replaces_the_answer_in_one_row(engine: Engine) -> None:
    closed, _, pairs = setup(engine)
    with session_scope(engine) as session:
        save_answer(session=session, answer=answer(closed, pairs[0], "U0E0", 3, NOW))
    later = NOW + timedelta(hours=1)
    with session_scope(engine) as session:
        save_answer(session=session, answer=answer(closed, pairs[0], "U0E0", 10, later))
        save_confidence(
            session=session,
            user_id="U0E0",
            stage=ConfidenceStage.CLOSEOUT,
            cycle_id=closed,
            ratings={"genai": 2},
            now=NOW,
        )
        save_confidence(
            session=session,
            user_id="U0E0",
            stage=ConfidenceStage.CLOSEOUT,
            cycle_id=closed,
            ratings={"genai": 4},
            now=later,
        )
    with session_scope(engine) as session:
        rows = list(session.exec(select(SurveyAnswer)))
        ratings = list(session.exec(select(Confidence)))
    assert [(r.recommend, r.answered_at, r.updated_at) for r in rows] == [(10, NOW, later)], (
        "one row: the last answer, first answered when it first was"
    )
    assert [(r.topic, r.value) for r in ratings] == [("genai", 4)]


def test_would_recommend_counts_close_outs_of_finished_cycles_only(engine: Engine) -> None:
    closed, running, pairs = setup(engine)
    with session_scope(engine) as session:
        for i, score in enumerate((10, 9, 3)):
            save_answer(session=session, answer=answer(closed, pairs[i], f"U0E{i}", score, NOW))
        save_answer(session=session, answer=answer(running, pairs[0], "U0E0", 0, NOW))
    with session_scope(engine) as session:
        assert recommend_counts(session=session) == {10: 1, 9: 1, 3: 1}
