"""Queries for a cycle's surveys: the pairs in a cycle, answers stored once per person (the last one stands), the
confidence ratings, and the figures leads may see."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.domain.cycles import ConfidenceStage, CycleStatus, SurveyKind
from bot.domain.rounds import PairingStatus
from storage.models import Confidence, Cycle, MentoringSession, Pairing, PairingCycle, SurveyAnswer


def _insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


def pairings_in_cycle(*, session: Session, cycle_id: int, active_only: bool) -> list[Pairing]:
    """The pairs in a cycle: those it holds now, and those whose part in it is recorded (a pair that rolled over
    into the next cycle, or closed with it). `active_only`: pairs still going."""
    recorded = select(PairingCycle.pairing_id).where(col(PairingCycle.cycle_id) == cycle_id)
    query = select(Pairing).where(or_(col(Pairing.cycle_id) == cycle_id, col(Pairing.id).in_(recorded)))
    if active_only:
        query = query.where(col(Pairing.status) == PairingStatus.ACTIVE)
    return list(session.exec(query.order_by(col(Pairing.id))))


def settled_outcomes(*, session: Session, cycle_id: int) -> dict[int, bool]:
    """Each recorded pair of the cycle: whether it came out of the cycle settled (rolled over or closed)."""
    rows = session.exec(
        select(PairingCycle.pairing_id, PairingCycle.outcome).where(col(PairingCycle.cycle_id) == cycle_id)
    )
    return {pairing_id: outcome is not None for pairing_id, outcome in rows}


def save_answer(*, session: Session, answer: SurveyAnswer) -> None:
    """Store a survey answer; answering again replaces it (one row per person, pair, cycle and survey). One
    statement, so a double submit racing itself still leaves one row."""
    values = answer.model_dump(exclude={"id"})
    replaced = {
        k: v for k, v in values.items() if k not in ("cycle_id", "pairing_id", "user_id", "kind", "answered_at")
    }
    statement = (
        _insert(session, SurveyAnswer)
        .values(**values)
        .on_conflict_do_update(index_elements=["cycle_id", "pairing_id", "user_id", "kind"], set_=replaced)
    )
    session.execute(statement)


def save_confidence(
    *, session: Session, user_id: str, stage: ConfidenceStage, cycle_id: int, ratings: Mapping[str, int], now: datetime
) -> None:
    """Store someone's confidence per topic at a stage of a cycle; a new rating of the same replaces the old."""
    for topic, value in ratings.items():
        statement = (
            _insert(session, Confidence)
            .values(user_id=user_id, topic=topic, stage=stage, cycle_id=cycle_id, value=value, answered_at=now)
            .on_conflict_do_update(
                index_elements=["user_id", "topic", "stage", "cycle_id"], set_={"value": value, "answered_at": now}
            )
        )
        session.execute(statement)


def answer_of(
    *, session: Session, cycle_id: int, pairing_id: int, user_id: str, kind: SurveyKind
) -> SurveyAnswer | None:
    return session.exec(
        select(SurveyAnswer).where(
            col(SurveyAnswer.cycle_id) == cycle_id,
            col(SurveyAnswer.pairing_id) == pairing_id,
            col(SurveyAnswer.user_id) == user_id,
            col(SurveyAnswer.kind) == kind,
        )
    ).first()


def closeouts_of(*, session: Session, cycle_id: int, pairing_ids: Sequence[int]) -> dict[tuple[int, str], SurveyAnswer]:
    """The close-out answers of these pairs in a cycle, by (pairing id, user id)."""
    if not pairing_ids:
        return {}
    rows = session.exec(
        select(SurveyAnswer).where(
            col(SurveyAnswer.cycle_id) == cycle_id,
            col(SurveyAnswer.kind) == SurveyKind.CLOSEOUT,
            col(SurveyAnswer.pairing_id).in_(list(pairing_ids)),
        )
    )
    return {(a.pairing_id, a.user_id): a for a in rows}


def ratings_of(*, session: Session, user_id: str, stage: ConfidenceStage, cycle_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Confidence.topic, Confidence.value).where(
            col(Confidence.user_id) == user_id, col(Confidence.stage) == stage, col(Confidence.cycle_id) == cycle_id
        )
    )
    return {topic: value for topic, value in rows}


def confidence_history(*, session: Session, user_id: str) -> list[Confidence]:
    """Everything someone rated, oldest first."""
    return list(
        session.exec(
            select(Confidence)
            .where(col(Confidence.user_id) == user_id)
            .order_by(col(Confidence.answered_at), col(Confidence.id))
        )
    )


def answers_by(*, session: Session, user_id: str) -> list[SurveyAnswer]:
    """Someone's own survey answers, oldest first."""
    return list(
        session.exec(
            select(SurveyAnswer)
            .where(col(SurveyAnswer.user_id) == user_id)
            .order_by(col(SurveyAnswer.answered_at), col(SurveyAnswer.id))
        )
    )


def cycle_names(*, session: Session, cycle_ids: Sequence[int]) -> dict[int, str]:
    if not cycle_ids:
        return {}
    rows = session.exec(select(Cycle.id, Cycle.name).where(col(Cycle.id).in_(sorted(set(cycle_ids)))))
    return {cycle_id: name for cycle_id, name in rows if cycle_id is not None}


def sessions_between(*, session: Session, pairing_ids: Sequence[int], first: date, last: date) -> dict[int, int]:
    """Sessions each pair held from `first` to `last` (both included)."""
    if not pairing_ids:
        return {}
    rows = session.exec(
        select(MentoringSession.pairing_id, func.count())
        .where(
            col(MentoringSession.pairing_id).in_(list(pairing_ids)),
            col(MentoringSession.held_on) >= first,
            col(MentoringSession.held_on) <= last,
        )
        .group_by(col(MentoringSession.pairing_id))
    )
    return {pairing_id: int(n) for pairing_id, n in rows}


def recommend_counts(*, session: Session) -> dict[int, int]:
    """How many close-out answers gave each "would recommend" score, from cycles that have closed only: while a
    cycle is open its figure would move with each answer, and a lead could tell whose it was."""
    rows = session.exec(
        select(SurveyAnswer.recommend, func.count())
        .join(Cycle, col(Cycle.id) == col(SurveyAnswer.cycle_id))
        .where(
            col(Cycle.status) == CycleStatus.CLOSED,
            col(SurveyAnswer.kind) == SurveyKind.CLOSEOUT,
            col(SurveyAnswer.recommend).is_not(None),
        )
        .group_by(col(SurveyAnswer.recommend))
    )
    return {int(score): int(n) for score, n in rows if score is not None}
