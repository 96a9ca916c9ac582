"""The outbox: messages decided on, written down before sending, marked with Slack's ts after.

Claiming uses row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so several bot processes can share one
database and each message still goes out once. A claim is a lease: a process that dies mid-send leaves a
row whose lease runs out and is picked up again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, delete, exists, func, or_, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.domain.outbox import MessageKind
from bot.domain.outbox import keys as outbox_keys
from bot.domain.privacy import names_id, scrub_id
from storage.db import insert_once
from storage.models import OutboxMessage, OutboxRecipient, OutboxStatus, OutboxSubject, SendRate, SendSlot

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Attachment:
    """A file sent in place of a plain post (the draft's text becomes its comment).

    `thread_key`: the message it belongs under (its thread), which must be sent first. `on_refusal_*`: what that
    message should say instead if Slack refuses the file for good, so nobody is promised an attachment that
    never came.
    """

    name: str
    title: str
    body: str
    thread_key: str | None = None
    on_refusal_text: str | None = None
    on_refusal_blocks: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "body": self.body,
            "thread_key": self.thread_key,
            "on_refusal_text": self.on_refusal_text,
            "on_refusal_blocks": self.on_refusal_blocks,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attachment:
        return cls(
            name=str(data["name"]),
            title=str(data["title"]),
            body=str(data["body"]),
            thread_key=data.get("thread_key"),
            on_refusal_text=data.get("on_refusal_text"),
            on_refusal_blocks=data.get("on_refusal_blocks"),
        )


@dataclass(frozen=True)
class Draft:
    """A message to enqueue: to a channel (`channel`), or to the (group) DM of `users`, never both.

    `about`: people other than the recipients whose id the key holds (and who are not in `pairing_id`'s pair),
    so that deleting one of them finds the message by their exact id.
    """

    key: str
    kind: MessageKind
    text: str
    blocks: list[dict[str, Any]]
    users: Sequence[str] = ()
    channel: str | None = None
    pairing_id: int | None = None
    not_before: datetime | None = None
    about: Sequence[str] = ()
    file: Attachment | None = None

    def __post_init__(self) -> None:
        if bool(self.users) == bool(self.channel):
            raise ValueError(f"{self.key}: a message goes to a channel or to people, exactly one of them")


@dataclass(frozen=True)
class Addressed:
    """Where a stored message goes, as delivery needs it."""

    kind: MessageKind
    users: list[str]
    channel: str | None


def conversation_of(channel: str | None, users: Sequence[str]) -> str:
    """The conversation a message goes to, as an opaque digest: the channel, or the set of people whose (group)
    DM it is. A digest rather than the ids, so a waiting row names nobody beyond its recipient rows."""
    parts = [channel] if channel else list(users)
    return hashlib.blake2b("\n".join(sorted(parts)).encode(), digest_size=12).hexdigest()


def _row(draft: Draft, now: datetime) -> dict[str, Any]:
    return {
        "conversation": conversation_of(draft.channel, draft.users),
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
        "attachment": draft.file.to_json() if draft.file else None,
    }


def _add_recipients(session: Session, message_id: int, draft: Draft) -> None:
    for position, user_id in enumerate(draft.users):
        session.add(OutboxRecipient(message_id=message_id, user_id=user_id, position=position))
    for user_id in sorted(set(draft.about)):
        session.add(OutboxSubject(message_id=message_id, user_id=user_id))


def enqueue(*, session: Session, draft: Draft, now: datetime) -> bool:
    """Add a message unless one with the same key exists; True when added."""
    row = OutboxMessage(**_row(draft, now))
    if not insert_once(session, row):
        return False
    assert row.id is not None
    _add_recipients(session, row.id, draft)
    session.flush()
    return True


def replace(*, session: Session, draft: Draft, now: datetime) -> None:
    """Queue a message, or new content for one already queued or sent under this key (a lead's preview as the
    round moves on): once sent, the next send edits Slack's copy in place rather than posting again."""
    if enqueue(session=session, draft=draft, now=now):
        return
    revise(session=session, key=draft.key, text=draft.text, blocks=draft.blocks, now=now)


def retarget(*, session: Session, channel: str, users: Sequence[str], pairing_ids: Sequence[int]) -> int:
    """Unsent messages of these pairs aimed at `channel` go to the group DM of `users` instead (someone left the
    conversation's group: what was queued for it must not reach them). Returns how many moved."""
    rows = list(
        session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.target_channel) == channel,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.ts).is_(None),
                col(OutboxMessage.pairing_id).in_(list(pairing_ids)),
            )
        )
    )
    for row in rows:
        assert row.id is not None
        # `channel` may hold a conversation opened for the old group: the new one is opened afresh.
        row.target_channel, row.channel = None, None
        row.conversation = conversation_of(None, users)
        session.add(row)
        for position, user_id in enumerate(users):
            session.add(OutboxRecipient(message_id=row.id, user_id=user_id, position=position))
    session.flush()
    return len(rows)


def deliveries(*, session: Session, keys: Sequence[str]) -> dict[str, tuple[OutboxStatus, datetime | None]]:
    """Where each of these messages stands: its status, and when Slack got it."""
    found: dict[str, tuple[OutboxStatus, datetime | None]] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), 500):  # within every database's limit on bound parameters
        query = select(OutboxMessage.key, OutboxMessage.status, OutboxMessage.sent_at).where(
            col(OutboxMessage.key).in_(wanted[start : start + 500])
        )
        found.update({key: (OutboxStatus(status), sent_at) for key, status, sent_at in session.exec(query)})
    return found


def outcomes(*, session: Session, keys: Sequence[str]) -> dict[str, tuple[OutboxStatus, str | None]]:
    """Where each of these messages stands, with why Slack refused it when it did."""
    found: dict[str, tuple[OutboxStatus, str | None]] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), 500):
        query = select(OutboxMessage.key, OutboxMessage.status, OutboxMessage.last_error).where(
            col(OutboxMessage.key).in_(wanted[start : start + 500])
        )
        found.update({key: (OutboxStatus(status), error) for key, status, error in session.exec(query)})
    return found


def message_by_key(*, session: Session, key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(col(OutboxMessage.key) == key)).first()


def revise(*, session: Session, key: str, text: str, blocks: list[dict[str, Any]], now: datetime) -> bool:
    """New content for the message queued or sent under `key` (edited in place once sent); False if none."""
    row = session.exec(select(OutboxMessage).where(col(OutboxMessage.key) == key).with_for_update()).first()
    if row is None:
        return False
    row.text, row.blocks = text, blocks
    row.revision += 1
    if row.status != OutboxStatus.SENDING:
        # A row being sent right now stays leased: its sender sees the new revision and leaves it pending.
        row.status, row.not_before, row.attempts = OutboxStatus.PENDING, now, 0
        assert row.id is not None
        row.conversation = conversation_of(row.target_channel, recipients(session=session, message_id=row.id))
    session.add(row)
    session.flush()
    return True


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
    just did come first.

    At most one message per conversation is ever leased, by any process: a conversation with a message in
    flight gives none, and otherwise only its oldest due message, so each conversation gets its messages in the
    order they were queued while different conversations go out side by side. (Asked for `keys`, the answer
    to what someone just did may pass an older message, not asked for, still waiting for the same person; never
    one in flight.)
    """
    other = aliased(OutboxMessage)
    in_flight = (col(other.status) == OutboxStatus.SENDING) & (col(other.claimed_until) >= now)
    due_other = or_(
        (col(other.status) == OutboxStatus.PENDING) & (col(other.not_before) <= now),
        (col(other.status) == OutboxStatus.SENDING) & (col(other.claimed_until) < now),
    )
    earlier = due_other & (col(other.id) < col(OutboxMessage.id))
    if keys is not None:
        earlier = earlier & col(other.key).in_(list(keys))
    ahead = or_(in_flight, earlier)
    blocked = exists().where(
        col(other.conversation) == col(OutboxMessage.conversation),
        col(other.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        col(other.id) != col(OutboxMessage.id),
        ahead,
    )
    query = (
        select(OutboxMessage)
        .where(
            or_(
                (col(OutboxMessage.status) == OutboxStatus.PENDING) & (col(OutboxMessage.not_before) <= now),
                (col(OutboxMessage.status) == OutboxStatus.SENDING) & (col(OutboxMessage.claimed_until) < now),
            ),
            ~blocked,
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


def renew(*, session: Session, claims: Sequence[Claim], now: datetime) -> set[int]:
    """Extend the leases of claims still held (waiting their turn at Slack's rate limits); returns the message
    ids still this sender's. A lost one must not be sent."""
    kept: set[int] = set()
    by_token: dict[str, list[int]] = {}
    for claim in claims:
        by_token.setdefault(claim.token, []).append(claim.message_id)
    for token, ids in by_token.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id).in_(chunk),
                    col(OutboxMessage.claim_token) == token,
                    col(OutboxMessage.status) == OutboxStatus.SENDING,
                )
                .values(claimed_until=now + LEASE)
            )
            held = select(OutboxMessage.id).where(
                col(OutboxMessage.id).in_(chunk), col(OutboxMessage.claim_token) == token
            )
            kept.update(i for i in session.exec(held) if i is not None)
    return kept


def remember_channel(*, session: Session, claim: Claim, channel: str) -> None:
    """Keep the conversation Slack opened for a group's message, so a retry (after a 429 or a 500) posts to it
    without opening it again."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == claim.message_id, col(OutboxMessage.claim_token) == claim.token)
        .values(channel=channel)
    )


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
    row.text, row.blocks, row.attachment = "", [], None
    row.status, row.conversation = OutboxStatus.SENT, None
    session.add(row)
    if row.kind.forget_recipients_when_sent:
        session.execute(delete(OutboxRecipient).where(col(OutboxRecipient.message_id) == claim.message_id))


def cancel(*, session: Session, claim: Claim) -> None:
    """Drop a leased message unsent (its recipients are away), and its text with it: it will never be read."""
    row = _held(session, claim)
    if row is None:
        return
    row.status, row.claimed_until, row.claim_token = OutboxStatus.CANCELLED, None, None
    row.text, row.blocks, row.attachment, row.conversation = "", [], None, None
    session.add(row)


def mark_undeliverable(*, session: Session, claim: Claim, error: str) -> bool:
    """Slack refused a message for good: it is never retried, so its text goes (`last_error` says why). False if
    the lease was lost meanwhile."""
    row = _held(session, claim)
    if row is None:
        return False
    row.status, row.claimed_until, row.claim_token = OutboxStatus.FAILED, None, None
    row.last_error = error[:500]
    row.text, row.blocks, row.attachment, row.conversation = "", [], None, None
    session.add(row)
    if row.kind.forget_recipients_when_sent:
        session.execute(delete(OutboxRecipient).where(col(OutboxRecipient.message_id) == claim.message_id))
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
        .values(status=OutboxStatus.CANCELLED, text="", blocks=[], attachment=None, conversation=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def rewrite_unsent(
    *,
    session: Session,
    key: str,
    pairing_id: int | None,
    text: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> bool:
    """Change what a message still waiting to be sent says, and which pair it belongs to, leaving when it goes as
    it was (unlike `revise`, which is for editing what Slack already shows). False if there is no such row."""
    row = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.key) == key, col(OutboxMessage.status) == OutboxStatus.PENDING)
        .with_for_update()
    ).first()
    if row is None:
        return False
    if text is not None:
        row.text, row.blocks = text, blocks or []
        row.revision += 1
    row.pairing_id = pairing_id
    session.add(row)
    return True


def cancel_pending_prefixed(*, session: Session, prefix: str, keep: Sequence[str] = ()) -> int:
    """Cancel unsent messages whose key starts with `prefix` (every version of one booking's invite), except
    `keep`: an older version must never arrive after a newer one."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.key).startswith(prefix, autoescape=True),
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.key).not_in(list(keep)),
        )
        .values(status=OutboxStatus.CANCELLED, text="", blocks=[], attachment=None, conversation=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_messages(*, session: Session, message_ids: Sequence[int]) -> None:
    """Delete these messages with their recipient and subject rows (explicitly: SQLite only cascades with its
    foreign keys switched on)."""
    ids = sorted(set(message_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(delete(OutboxRecipient).where(col(OutboxRecipient.message_id).in_(chunk)))
        session.execute(delete(OutboxSubject).where(col(OutboxSubject.message_id).in_(chunk)))
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.id).in_(chunk)))


def forget_person_messages(*, session: Session, user_id: str, alias: str, pairing_ids: Sequence[int]) -> list[str]:
    """Leave no message naming this person by their exact id. Returns the keys of the messages deleted unsent
    (their prompts go too, see `storage.privacy`).

    Messages to them, about them (`OutboxSubject`), or of their pairs (`pairing_ids`): unsent, they are deleted
    (the pairs have ended; nothing in them should still reach anyone); sent, only their key, channel and ts
    remain, so their recipient row goes, the rest keep the message, and their id in its key becomes `alias`.
    Anything else still waiting to be sent that names them (a lead's preview, a welcome naming them as sponsor)
    keeps going out, with them as "a former participant".
    """
    linked: set[int] = set(
        session.exec(select(OutboxRecipient.message_id).where(col(OutboxRecipient.user_id) == user_id))
    )
    linked |= set(session.exec(select(OutboxSubject.message_id).where(col(OutboxSubject.user_id) == user_id)))
    for start in range(0, len(pairing_ids), 500):
        chunk = list(pairing_ids[start : start + 500])
        linked |= {
            i for i in session.exec(select(OutboxMessage.id).where(col(OutboxMessage.pairing_id).in_(chunk))) if i
        }
    deleted: list[OutboxMessage] = []
    for message_id in sorted(linked):
        row = session.get(OutboxMessage, message_id)
        if row is None:
            continue
        others = [u for u in recipients(session=session, message_id=message_id) if u != user_id]
        if row.status != OutboxStatus.SENT or not (others or row.target_channel):
            deleted.append(row)
            continue
        session.execute(
            delete(OutboxRecipient).where(
                col(OutboxRecipient.message_id) == message_id, col(OutboxRecipient.user_id) == user_id
            )
        )
        session.execute(
            delete(OutboxSubject).where(
                col(OutboxSubject.message_id) == message_id, col(OutboxSubject.user_id) == user_id
            )
        )
        row.key, row.text, row.blocks, row.attachment = scrub_id(row.key, user_id, alias=alias), "", [], None
        session.add(row)
    forgotten = [(row.key, recipients(session=session, message_id=row.id or 0)) for row in deleted]
    forget_messages(session=session, message_ids=[row.id or 0 for row in deleted])
    # Still to go, and naming them: only rows waiting to be sent hold text (sent, cancelled and refused ones
    # keep none), and the due index finds them; the text match only narrows them down, `names_id` decides.
    waiting = select(OutboxMessage).where(
        col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        or_(
            col(OutboxMessage.key).contains(user_id),
            col(OutboxMessage.text).contains(user_id),
            cast(OutboxMessage.blocks, String).contains(user_id),
            cast(OutboxMessage.attachment, String).contains(user_id),
        ),
    )
    for row in session.exec(waiting):
        if row.id in linked:
            continue
        blocks, attachment = json.dumps(row.blocks), json.dumps(row.attachment)
        if not any(names_id(text, user_id) for text in (row.key, row.text, blocks, attachment)):
            continue
        row.key = scrub_id(row.key, user_id, alias=alias)
        row.text = scrub_id(row.text, user_id, alias=alias)
        row.blocks = json.loads(scrub_id(blocks, user_id, alias=alias))
        row.attachment = json.loads(scrub_id(attachment, user_id, alias=alias))
        session.add(row)
    session.flush()
    return [key for key, _ in forgotten] + [
        outbox_keys.prompted(key, user) for key, users in forgotten for user in users
    ]


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
    """Add many messages at once, skipping keys that exist; returns the keys actually added.

    What `enqueue` does for each draft, in a few statements per call whatever their number: the sweep's hot
    path. A key that exists is left as it is; a key named twice in one call is queued once, as first named.
    Messages get their ids in the order given, so a conversation's messages go out in that order.
    """
    first: dict[str, Draft] = {}
    for draft in drafts:
        first.setdefault(draft.key, draft)
    if not first:
        return set()
    fresh = list(first.values())
    # Rows this session added but has not written yet count as existing: plain SQL triggers no autoflush.
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        added = _insert_messages_postgres(session, fresh, now)
    else:
        added = _insert_messages_sqlite(session, fresh, now)
    kept = [d for d in fresh if d.key in added]
    recipient_rows = [
        {"message_id": added[d.key], "user_id": user_id, "position": position}
        for d in kept
        for position, user_id in enumerate(d.users)
    ]
    subject_rows = [{"message_id": added[d.key], "user_id": user_id} for d in kept for user_id in sorted(set(d.about))]
    _insert_links(session, OutboxRecipient, _INSERT_RECIPIENTS, recipient_rows)
    _insert_links(session, OutboxSubject, _INSERT_SUBJECTS, subject_rows)
    return set(added)


_MESSAGE_COLUMNS = (
    "key",
    "kind",
    "target_channel",
    "text",
    "blocks",
    "pairing_id",
    "not_before",
    "created_at",
    "status",
    "priority",
    "revision",
    "attempts",
    "attachment",
    "conversation",
)
_NAMES = ", ".join(_MESSAGE_COLUMNS)
# The batch as one JSON document read back into rows, in its order (so ids follow the drafts'). One parameter,
# serialized in C with the blocks nested as they are, and one statement text whatever the batch's size, which
# psycopg prepares once per connection; an insert-many is as long as its batch and parsed afresh each time. Not
# from arrays as the prompts are: psycopg escapes every quote of every element of a text array in Python, and
# the blocks are JSON, all quotes.
_INSERT_MESSAGES_POSTGRES = text(
    f"INSERT INTO outbox ({_NAMES}) SELECT {_NAMES}"
    " FROM ROWS FROM (json_to_recordset(CAST(:rows AS JSON)) AS (key TEXT, kind TEXT, target_channel TEXT,"
    " text TEXT, blocks JSON, pairing_id INTEGER, not_before TIMESTAMPTZ, created_at TIMESTAMPTZ, status TEXT,"
    " priority INTEGER, revision INTEGER, attempts INTEGER, attachment JSON, conversation TEXT))"
    f" WITH ORDINALITY AS v({_NAMES}, n) ORDER BY n"
    " ON CONFLICT (key) DO NOTHING RETURNING id, key"
)


def _insert_messages_postgres(session: Session, drafts: Sequence[Draft], now: datetime) -> dict[str, int]:
    dialect = session.get_bind().dialect
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    aware_utc = table.c.not_before.type.dialect_impl(dialect).bind_processor(dialect)

    def moment(value: datetime) -> str:
        # Enums are strings to json already; a time goes through its column type's rule (aware only, as UTC).
        return aware_utc(value).isoformat()

    # An attachment of None is JSON null, read back as SQL NULL, as that column stores it.
    rows = json.dumps([_row(d, now) for d in drafts], default=moment)
    return {key: message_id for message_id, key in session.execute(_INSERT_MESSAGES_POSTGRES, {"rows": rows})}


def _insert_messages_sqlite(session: Session, drafts: Sequence[Draft], now: datetime) -> dict[str, int]:
    """Keys already queued are read first, the others inserted by one executemany of plain tuples (run in C, with
    each value as its column type writes it) and their ids read back: nobody can write in between, as every
    SQLite transaction here holds the write lock from its start (`storage.db`: BEGIN IMMEDIATE). A key taken
    all the same fails the plain INSERT rather than be reported as added. Chunks of 500 keys stay within
    SQLite's limit on bound parameters."""
    keys = [d.key for d in drafts]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing.update(session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).in_(chunk))))
    new = [d for d in drafts if d.key not in existing]
    if not new:
        return {}
    dialect = session.get_bind().dialect
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    # Each value as its column type writes it: JSON through json.dumps (SQLAlchemy's serializer, as on
    # PostgreSQL above), enums as their values, times in the type's text form, which comparisons rely on.
    stamp = table.c.not_before.type.dialect_impl(dialect).bind_processor(dialect)
    values = [
        (
            r["key"],
            r["kind"].value,
            r["target_channel"],
            r["text"],
            json.dumps(r["blocks"]),
            r["pairing_id"],
            stamp(r["not_before"]),
            stamp(r["created_at"]),
            r["status"].value,
            r["priority"],
            r["revision"],
            r["attempts"],
            None if r["attachment"] is None else json.dumps(r["attachment"]),
            r["conversation"],
        )
        for r in (_row(d, now) for d in new)
    ]
    insert = f"INSERT INTO outbox ({_NAMES}) VALUES ({', '.join('?' for _ in _MESSAGE_COLUMNS)})"
    session.connection().exec_driver_sql(insert, values)
    added: dict[str, int] = {}
    for start in range(0, len(new), 500):
        chunk = [d.key for d in new[start : start + 500]]
        query = select(OutboxMessage.id, OutboxMessage.key).where(col(OutboxMessage.key).in_(chunk))
        added.update({key: message_id for message_id, key in session.exec(query) if message_id is not None})
    return added


# A batch's recipients and subjects, from arrays: short ids and numbers, nothing for psycopg to escape.
_INSERT_RECIPIENTS = text(
    "INSERT INTO outbox_recipient (message_id, user_id, position) SELECT * FROM"
    " unnest(CAST(:message_id AS INTEGER[]), CAST(:user_id AS TEXT[]), CAST(:position AS INTEGER[]))"
)
_INSERT_SUBJECTS = text(
    "INSERT INTO outbox_subject (message_id, user_id) SELECT * FROM"
    " unnest(CAST(:message_id AS INTEGER[]), CAST(:user_id AS TEXT[]))"
)


def _insert_links(session: Session, table: Any, from_arrays: Any, rows: list[dict[str, Any]]) -> None:
    """Rows of `outbox_recipient` or `outbox_subject`: on PostgreSQL one INSERT from arrays, else an executemany."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(from_arrays, {column: [row[column] for row in rows] for column in rows[0]})
    else:
        session.execute(table.__table__.insert(), rows)


def upsert_ignore(session: Session, table: Any, unique: str) -> Any:
    """`INSERT ... ON CONFLICT (unique) DO NOTHING` in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing(index_elements=[unique])
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=[unique])


def take_slot(*, session: Session, method: str, per_window: int, window: float, now: float) -> float:
    """Take one call of `method` from the budget every sending process shares: 0.0 when taken (call Slack now),
    else how many seconds until one frees up (nothing taken).

    Slack counts calls per method in a sliding window (`per_window` calls in any `window` seconds), so this keeps
    the calls made in the last window and lets a call through while there are fewer than that. The method's
    row is locked first (row lock on PostgreSQL, the write lock on SQLite), so counting and taking are one step
    for every process. `now` is wall-clock epoch seconds, the same on every machine.
    """
    session.execute(upsert_ignore(session, SendRate, "method").values(method=method, paused_until=0.0))
    rate = session.exec(select(SendRate).where(col(SendRate.method) == method).with_for_update()).one()
    if rate.paused_until > now:
        return rate.paused_until - now
    session.execute(delete(SendSlot).where(col(SendSlot.method) == method, col(SendSlot.at) <= now - window))
    taken = list(session.exec(select(SendSlot.at).where(col(SendSlot.method) == method).order_by(col(SendSlot.at))))
    if len(taken) < per_window:
        session.add(SendSlot(method=method, at=now))
        session.flush()
        return 0.0
    # The oldest call that must leave the window before one more fits.
    return max(0.001, taken[len(taken) - per_window] + window - now)


def pause_method(*, session: Session, method: str, until: float) -> None:
    """Slack answered 429 with Retry-After: no process calls `method` again before `until` (epoch seconds)."""
    session.execute(upsert_ignore(session, SendRate, "method").values(method=method, paused_until=0.0))
    session.execute(
        update(SendRate)
        .where(col(SendRate.method) == method, col(SendRate.paused_until) < until)
        .values(paused_until=until)
    )
