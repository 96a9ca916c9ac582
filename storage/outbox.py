"""The outbox: messages decided on, written down before sending, marked with Slack's ts after.

Claiming uses row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so several bot processes can share one
database and each message still goes out once. A claim is a lease: a process that dies mid-send leaves a
row whose lease runs out and is picked up again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.db import insert_once
from storage.models import OutboxMessage, OutboxStatus

LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Draft:
    """A message to enqueue: `recipients` is a channel id or the user ids of a (group) DM."""

    key: str
    kind: str
    recipients: Sequence[str]
    text: str
    blocks: list[dict[str, Any]]
    pairing_id: int | None = None
    not_before: datetime | None = None


def enqueue(*, session: Session, draft: Draft, now: datetime) -> bool:
    """Add a message unless one with the same key exists; True when added."""
    row = OutboxMessage(
        key=draft.key,
        kind=draft.kind,
        recipients=",".join(draft.recipients),
        text=draft.text,
        blocks=draft.blocks,
        pairing_id=draft.pairing_id,
        not_before=draft.not_before or now,
        created_at=now,
    )
    return insert_once(session, row)


def claim_due(*, session: Session, now: datetime, limit: int = 50, keys: Sequence[str] | None = None) -> list[int]:
    """Lease up to `limit` due messages to this caller and return their ids (commit to make the lease stick)."""
    query = (
        select(OutboxMessage)
        .where(
            or_(
                (col(OutboxMessage.status) == OutboxStatus.PENDING) & (col(OutboxMessage.not_before) <= now),
                (col(OutboxMessage.status) == OutboxStatus.SENDING) & (col(OutboxMessage.claimed_until) < now),
            )
        )
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if keys is not None:
        query = query.where(col(OutboxMessage.key).in_(list(keys)))
    rows = list(session.exec(query))
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.claimed_until = now + LEASE
        row.attempts += 1
        session.add(row)
    session.flush()
    return [row.id for row in rows if row.id is not None]


def mark_sent(*, session: Session, message_id: int, channel: str, ts: str, now: datetime) -> None:
    """Record Slack's channel and ts. The body is dropped: Slack has it now, and keeping copies of what
    people were told (names, reasons) in our database serves no one."""
    row = session.get_one(OutboxMessage, message_id)
    row.text, row.blocks = "", []
    row.status = OutboxStatus.SENT
    row.channel, row.ts, row.sent_at = channel, ts, now
    row.claimed_until = None
    row.last_error = None
    session.add(row)


def mark_failed(*, session: Session, message_id: int, error: str, retry_at: datetime) -> None:
    """Put a message back in the queue for a later attempt, keeping why it failed."""
    row = session.get_one(OutboxMessage, message_id)
    row.status = OutboxStatus.PENDING
    row.not_before = retry_at
    row.claimed_until = None
    row.last_error = error[:500]
    session.add(row)


def defer(*, session: Session, message_id: int, until: datetime) -> None:
    """Hand a leased message back to wait for a better moment; not a failed attempt, so no back-off grows."""
    row = session.get_one(OutboxMessage, message_id)
    row.status, row.not_before, row.claimed_until = OutboxStatus.PENDING, until, None
    row.attempts = max(0, row.attempts - 1)
    session.add(row)


def unsent_count(*, session: Session, key_prefix: str = "") -> int:
    """Messages still waiting to go out (pending, or leased and not yet confirmed)."""
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
    )
    if key_prefix:
        query = query.where(col(OutboxMessage.key).startswith(key_prefix))
    return session.exec(query).one()


def enqueue_many(*, session: Session, drafts: Sequence[Draft], now: datetime) -> set[str]:
    """Add many messages in one statement, skipping keys that exist; returns the keys actually added.

    The sweep's hot path: one INSERT ... ON CONFLICT DO NOTHING per batch instead of a savepoint per row.
    """
    if not drafts:
        return set()
    rows = [
        {
            "key": d.key,
            "kind": d.kind,
            "recipients": ",".join(d.recipients),
            "text": d.text,
            "blocks": d.blocks,
            "pairing_id": d.pairing_id,
            "not_before": d.not_before or now,
            "created_at": now,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
        }
        for d in drafts
    ]
    statement = upsert_ignore(session, OutboxMessage, "key").returning(col(OutboxMessage.key))
    return _insert_returning(session, statement, rows)


def _insert_returning(session: Session, statement: Any, rows: list[dict[str, Any]]) -> set[str]:
    # executemany: SQLAlchemy batches the rows into multi-row INSERTs itself ("insertmanyvalues") and
    # compiles the statement once, instead of once per batch of VALUES.
    return {key for (key,) in session.execute(statement, rows)}


def upsert_ignore(session: Session, table: Any, unique: str) -> Any:
    """`INSERT ... ON CONFLICT (unique) DO NOTHING` in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing(index_elements=[unique])
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=[unique])
