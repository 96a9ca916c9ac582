"""Queries on program cycles and the pairs in them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.domain.cycles import CycleStatus, PairOutcome, Span, SurveyKind
from storage.db import insert_once
from storage.models import Cycle, Pairing, PairingCycle, PairingStatus, SurveyAnswer

# Any fixed number: the key of the PostgreSQL advisory lock that serialises changes to cycles' dates.
_CYCLES_LOCK = 0x7C7C1E


def lock_cycles(*, session: Session) -> None:
    """Serialise whoever changes cycles' dates until this transaction ends, so two leads at once can't create
    overlapping cycles: on PostgreSQL an advisory lock; SQLite's write transactions are serial already."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_CYCLES_LOCK))  # type: ignore[call-overload]


def span(cycle: Cycle) -> Span:
    assert cycle.id is not None
    return Span(cycle.id, cycle.name, cycle.starts_on, cycle.ends_on)


def open_cycles(*, session: Session) -> list[Cycle]:
    """Cycles running or planned, earliest first."""
    query = select(Cycle).where(col(Cycle.status) == CycleStatus.OPEN).order_by(col(Cycle.starts_on))
    return list(session.exec(query))


def recently_closed(*, session: Session, since: datetime) -> list[Cycle]:
    query = select(Cycle).where(col(Cycle.status) == CycleStatus.CLOSED, col(Cycle.closed_at) >= since)
    return list(session.exec(query.order_by(col(Cycle.id))))


def create_cycle(*, session: Session, name: str, starts_on: date, ends_on: date, by: str, now: datetime) -> Cycle:
    cycle = Cycle(name=name, starts_on=starts_on, ends_on=ends_on, created_by=by, created_at=now, updated_at=now)
    session.add(cycle)
    session.flush()
    return cycle


def move_end(*, session: Session, cycle_id: int, ends_on: date, now: datetime) -> None:
    session.exec(
        update(Cycle)
        .where(col(Cycle.id) == cycle_id, col(Cycle.status) == CycleStatus.OPEN)
        .values(ends_on=ends_on, updated_at=now)
    )


def close_cycle(*, session: Session, cycle_id: int, now: datetime) -> bool:
    """Mark a cycle closed; False when it was closed already (a second sweep, a second process)."""
    result = session.exec(
        update(Cycle)
        .where(col(Cycle.id) == cycle_id, col(Cycle.status) == CycleStatus.OPEN)
        .values(status=CycleStatus.CLOSED, closed_at=now, updated_at=now)
    )
    return bool(result.rowcount == 1)


def join_cycle(*, session: Session, pairing: Pairing, cycle_id: int) -> None:
    """Put a pair in a cycle and record its part in it (once, however often this runs)."""
    assert pairing.id is not None
    pairing.cycle_id = cycle_id
    session.add(pairing)
    insert_once(session, PairingCycle(pairing_id=pairing.id, cycle_id=cycle_id))


def join_evergreen(*, session: Session, cycle_id: int) -> int:
    """Put every active pair in no cycle into this one, recording each one's part in it: a few statements
    however many pairs (a lead's modal waits on this), safe against a sweep doing the same at once. Returns how
    many pairs joined."""
    ids = list(
        session.exec(
            select(Pairing.id).where(col(Pairing.status) == PairingStatus.ACTIVE, col(Pairing.cycle_id).is_(None))
        )
    )
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        session.exec(
            update(Pairing).where(col(Pairing.id).in_(batch), col(Pairing.cycle_id).is_(None)).values(cycle_id=cycle_id)
        )
    record_parts(session=session, cycle_id=cycle_id)
    return len(ids)


def record_parts(*, session: Session, cycle_id: int) -> None:
    """Record the part in the cycle of each active pair it holds that has none recorded yet (a few statements
    however many pairs; a concurrent sweep recording the same rows is harmless)."""
    ids = [p.id for p in pairings_in(session=session, cycle_id=cycle_id) if p.id is not None]
    for start in range(0, len(ids), 500):
        rows = [{"pairing_id": pairing_id, "cycle_id": cycle_id} for pairing_id in ids[start : start + 500]]
        session.exec(_insert(session, PairingCycle).values(rows).on_conflict_do_nothing())


def _insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


def pairings_in(*, session: Session, cycle_id: int) -> list[Pairing]:
    """The active pairs in a cycle now."""
    query = select(Pairing).where(col(Pairing.status) == PairingStatus.ACTIVE, col(Pairing.cycle_id) == cycle_id)
    return list(session.exec(query.order_by(col(Pairing.id))))


def pair_counts(*, session: Session, cycle_ids: Sequence[int]) -> dict[int, int]:
    """Active pairs per cycle."""
    if not cycle_ids:
        return {}
    query = (
        select(Pairing.cycle_id, func.count())
        .where(col(Pairing.status) == PairingStatus.ACTIVE, col(Pairing.cycle_id).in_(list(cycle_ids)))
        .group_by(col(Pairing.cycle_id))
    )
    return {cycle_id: count for cycle_id, count in session.exec(query) if cycle_id is not None}


def unsettled(*, session: Session, cycle_id: int) -> list[PairingCycle]:
    """The pairs' parts in a cycle not settled yet."""
    query = select(PairingCycle).where(col(PairingCycle.cycle_id) == cycle_id, col(PairingCycle.settled_at).is_(None))
    return list(session.exec(query.order_by(col(PairingCycle.id))))


def claim_part(*, session: Session, part_id: int) -> PairingCycle | None:
    """A pair's part in a cycle, locked until the transaction ends; None once settled (another process settling
    the same cycle got there first)."""
    query = select(PairingCycle).where(col(PairingCycle.id) == part_id).with_for_update()
    part = session.exec(query).first()
    return part if part is not None and part.settled_at is None else None


def settle_part(
    *, session: Session, pairing_id: int, cycle_id: int, outcome: PairOutcome | None, now: datetime
) -> None:
    row = session.exec(
        select(PairingCycle).where(col(PairingCycle.pairing_id) == pairing_id, col(PairingCycle.cycle_id) == cycle_id)
    ).first()
    if row is None:
        row = PairingCycle(pairing_id=pairing_id, cycle_id=cycle_id)
    row.outcome, row.settled_at = outcome, now
    session.add(row)


def continue_choices(*, session: Session, cycle_id: int, pairing_id: int) -> dict[str, bool | None]:
    """Each partner's close-out answer to "continue with this partner?", by user id (absent: not answered)."""
    query = select(SurveyAnswer.user_id, SurveyAnswer.continue_pair).where(
        col(SurveyAnswer.cycle_id) == cycle_id,
        col(SurveyAnswer.pairing_id) == pairing_id,
        col(SurveyAnswer.kind) == SurveyKind.CLOSEOUT,
    )
    return {user_id: choice for user_id, choice in session.exec(query)}
