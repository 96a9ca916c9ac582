"""The outbox: messages decided on, written down before sending, marked with Slack's ts after.

Claiming uses row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so several bot processes can share one
database and each message still goes out once. A claim is a lease: a process that dies mid-send leaves a
row whose lease runs out and is picked up again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.domain.outbox import MessageKind
from storage.db import insert_once
from storage.models import OutboxMessage, OutboxRecipient, OutboxStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Draft:
    """A message to enqueue: to a channel (`channel`), or to the (group) DM of `users`, never both."""

    key: str
    kind: MessageKind
    text: str
    blocks: list[dict[str, Any]]
    users: Sequence[str] = ()
    channel: str | None = None
    pairing_id: int | None = None
    not_before: datetime | None = None

    def __post_init__(self) -> None:
        if bool(self.users) == bool(self.channel):
            raise ValueError(f"{self.key}: a message goes to a channel or to people, exactly one of them")


@dataclass(frozen=True)
class Addressed:
    """Where a stored message goes, as delivery needs it."""

    kind: MessageKind
    users: list[str]
    channel: str | None


def _row(draft: Draft, now: datetime) -> dict[str, Any]:
    return {
        "key": draft.key,
        "kind": draft.kind,
        "target_channel": draft.channel,
        "text": draft.text,
        "blocks": draft.blocks,
        "pairing_id": draft.pairing_id,
        "not_before": draft.not_before or now,
        "created_at": now,
        "status": OutboxStatus.PENDING,
        "priority": 1 if draft.kind.send_now else 0,
        "revision": 0,
        "attempts": 0,
    }


def _add_recipients(session: Session, message_id: int, users: Sequence[str]) -> None:
    for position, user_id in enumerate(users):
        session.add(OutboxRecipient(message_id=message_id, user_id=user_id, position=position))


def enqueue(*, session: Session, draft: Draft, now: datetime) -> bool:
    """Add a message unless one with the same key exists; True when added."""
    row = OutboxMessage(**_row(draft, now))
    if not insert_once(session, row):
        return False
    assert row.id is not None
    _add_recipients(session, row.id, draft.users)
    session.flush()
    return True


def replace(*, session: Session, draft: Draft, now: datetime) -> None:
    """Queue a message, or new content for one already queued or sent under this key (a lead's preview as the
    round moves on): once sent, the next send edits Slack's copy in place rather than posting again."""
    if enqueue(session=session, draft=draft, now=now):
        return
    row = session.exec(select(OutboxMessage).where(col(OutboxMessage.key) == draft.key).with_for_update()).one()
    row.text, row.blocks = draft.text, draft.blocks
    row.revision += 1
    if row.status != OutboxStatus.SENDING:
        # A row being sent right now stays leased: its sender sees the new revision and leaves it pending.
        row.status, row.not_before, row.attempts = OutboxStatus.PENDING, now, 0
    session.add(row)
    session.flush()


def recipients(*, session: Session, message_id: int) -> list[str]:
    """The people a message is for, in the order they were named."""
    query = (
        select(OutboxRecipient.user_id)
        .where(col(OutboxRecipient.message_id) == message_id)
        .order_by(col(OutboxRecipient.position))
    )
    return list(session.exec(query))


def address_of(*, session: Session, message_id: int) -> Addressed:
    row = session.get_one(OutboxMessage, message_id)
    return Addressed(row.kind, recipients(session=session, message_id=message_id), row.target_channel)


@dataclass(frozen=True)
class Claim:
    """A lease on one message: only the holder of `token` may send it or settle it."""

    message_id: int
    revision: int
    token: str


def claim_due(*, session: Session, now: datetime, limit: int = 50, keys: Sequence[str] | None = None) -> list[Claim]:
    """Lease up to `limit` due messages to this caller (commit to make the lease stick); answers to what someone
    just did come first."""
    query = (
        select(OutboxMessage)
        .where(
            or_(
                (col(OutboxMessage.status) == OutboxStatus.PENDING) & (col(OutboxMessage.not_before) <= now),
                (col(OutboxMessage.status) == OutboxStatus.SENDING) & (col(OutboxMessage.claimed_until) < now),
            )
        )
        .order_by(col(OutboxMessage.priority).desc(), col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if keys is not None:
        query = query.where(col(OutboxMessage.key).in_(list(keys)))
    rows = list(session.exec(query))
    token = uuid.uuid4().hex
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.claimed_until = now + LEASE
        row.claim_token = token
        row.attempts += 1
        session.add(row)
    session.flush()
    return [Claim(row.id, row.revision, token) for row in rows if row.id is not None]


def hold(*, session: Session, claim: Claim, now: datetime) -> bool:
    """Renew the lease right before sending; False when it is no longer this claim's (it ran out and another
    sender took the row), in which case the caller must not send."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == claim.message_id,
            col(OutboxMessage.claim_token) == claim.token,
            col(OutboxMessage.status) == OutboxStatus.SENDING,
        )
        .values(claimed_until=now + LEASE)
    )
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


def _held(session: Session, claim: Claim) -> OutboxMessage | None:
    """The row, locked, if `claim` still holds it; None (and a log line) when another sender took it over."""
    row = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.id) == claim.message_id).with_for_update()
    ).one_or_none()
    if row is None or row.claim_token != claim.token or row.status != OutboxStatus.SENDING:
        log.warning("outbox message %s: lease lost before settling; leaving it to its new holder", claim.message_id)
        return None
    return row


def mark_sent(*, session: Session, claim: Claim, channel: str, ts: str, now: datetime) -> None:
    """Record Slack's channel and ts. The body is dropped: Slack has it now, and keeping copies of what
    people were told (names, reasons) in our database serves no one. If the content was replaced while this
    send was under way, the row stays pending with the new content, to update Slack's copy next."""
    row = _held(session, claim)
    if row is None:
        return
    row.channel, row.ts, row.sent_at = channel, ts, now
    row.claimed_until, row.claim_token = None, None
    row.last_error = None
    if row.revision != claim.revision:
        row.status, row.not_before = OutboxStatus.PENDING, now
        session.add(row)
        return
    row.text, row.blocks = "", []
    row.status = OutboxStatus.SENT
    session.add(row)
    if row.kind.forget_recipients_when_sent:
        session.execute(delete(OutboxRecipient).where(col(OutboxRecipient.message_id) == claim.message_id))


def cancel(*, session: Session, claim: Claim) -> None:
    """Drop a leased message unsent (its recipients are away)."""
    row = _held(session, claim)
    if row is None:
        return
    row.status, row.claimed_until, row.claim_token = OutboxStatus.CANCELLED, None, None
    session.add(row)


def mark_undeliverable(*, session: Session, claim: Claim, error: str) -> bool:
    """Slack refused a message for good: it is never retried. False if the lease was lost meanwhile."""
    row = _held(session, claim)
    if row is None:
        return False
    row.status, row.claimed_until, row.claim_token = OutboxStatus.FAILED, None, None
    row.last_error = error[:500]
    session.add(row)
    return True


def cancel_pending(*, session: Session, kind: MessageKind, pairing_id: int, keep: Sequence[str] = ()) -> int:
    """Cancel a pair's unsent messages of one kind, except `keep` (reminders for a date that moved)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.kind) == kind,
            col(OutboxMessage.pairing_id) == pairing_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.key).not_in(list(keep)),
        )
        .values(status=OutboxStatus.CANCELLED)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_message(*, session: Session, message_id: int) -> None:
    session.execute(delete(OutboxRecipient).where(col(OutboxRecipient.message_id) == message_id))
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.id) == message_id))


def forget_recipient(*, session: Session, user_id: str) -> None:
    """Delete every message addressed to this person (exactly this id), sent or not."""
    ids = list(session.exec(select(OutboxRecipient.message_id).where(col(OutboxRecipient.user_id) == user_id)))
    if not ids:
        return
    session.execute(delete(OutboxRecipient).where(col(OutboxRecipient.message_id).in_(ids)))
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.id).in_(ids)))


def mark_failed(*, session: Session, claim: Claim, error: str, retry_at: datetime) -> None:
    """Put a message back in the queue for a later attempt, keeping why it failed."""
    row = _held(session, claim)
    if row is None:
        return
    row.status = OutboxStatus.PENDING
    row.not_before = retry_at
    row.claimed_until, row.claim_token = None, None
    row.last_error = error[:500]
    session.add(row)


def defer(*, session: Session, claim: Claim, until: datetime) -> None:
    """Hand a leased message back to wait for a better moment; not a failed attempt, so no back-off grows."""
    row = _held(session, claim)
    if row is None:
        return
    row.status, row.not_before, row.claimed_until, row.claim_token = OutboxStatus.PENDING, until, None, None
    row.attempts = max(0, row.attempts - 1)
    session.add(row)


def unsent_count(*, session: Session, kind: MessageKind | None = None) -> int:
    """Messages still waiting to go out (pending, or leased and not yet confirmed), optionally of one kind."""
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
    )
    if kind is not None:
        query = query.where(col(OutboxMessage.kind) == kind)
    return session.exec(query).one()


def enqueue_many(*, session: Session, drafts: Sequence[Draft], now: datetime) -> set[str]:
    """Add many messages in one statement, skipping keys that exist; returns the keys actually added.

    The sweep's hot path: one INSERT ... ON CONFLICT DO NOTHING per batch instead of a savepoint per row.
    """
    if not drafts:
        return set()
    rows = [_row(d, now) for d in drafts]
    statement = upsert_ignore(session, OutboxMessage, "key").returning(col(OutboxMessage.id), col(OutboxMessage.key))
    added = {key: message_id for message_id, key in session.execute(statement, rows)}
    recipient_rows = [
        {"message_id": added[d.key], "user_id": user_id, "position": position}
        for d in drafts
        if d.key in added
        for position, user_id in enumerate(d.users)
    ]
    if recipient_rows:
        session.execute(OutboxRecipient.__table__.insert(), recipient_rows)  # type: ignore[attr-defined]
    return set(added)


def upsert_ignore(session: Session, table: Any, unique: str) -> Any:
    """`INSERT ... ON CONFLICT (unique) DO NOTHING` in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing(index_elements=[unique])
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=[unique])
