"""Sending what the outbox holds: once each, resuming after errors, rate limits or a crash.

The one way Turnabout talks outside an immediate reply: a use case writes a message to the outbox in its own
transaction and returns its key; the caller then asks `deliver` for just those keys (answers to what someone
just did), or leaves it to the next tick (everything due). Each message's kind decides its rules (see
`bot.domain.outbox.MessageKind`): dropped when a recipient is away, held for working hours, sent ahead of
the backlog.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlmodel import Session

from bot.blocks.messages import unreachable_alert
from bot.domain.momentum import common_window
from bot.domain.outbox import MessageKind, keys
from bot.domain.people import Status, current_status
from bot.failpoints import failpoint
from bot.usecases.membership import lead_drafts
from bot.usecases.services import Services
from storage.db import StoreUnavailable, session_scope
from storage.models import OutboxMessage, OutboxStatus, Pairing
from storage.outbox import (
    Attachment,
    Claim,
    address_of,
    cancel,
    claim_due,
    defer,
    enqueue,
    hold,
    mark_failed,
    mark_sent,
    mark_undeliverable,
    message_by_key,
    revise,
)
from storage.pairings import record_intro_channel
from storage.participants import participants_by_id

log = logging.getLogger(__name__)

# Slack errors that no retry will fix: the person left, the channel is gone, the bot was removed.
PERMANENT = {
    "user_not_found",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "account_inactive",
    "user_disabled",
    "message_not_found",
    "cant_update_message",
    "cannot_dm_bot",
    "user_not_visible",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
    "too_many_users",
}
# Refusals of a file that no retry will change (uploads switched off by an admin, a scope the install lacks).
FILE_REFUSALS = {
    "file_uploads_disabled",
    "file_upload_size_restricted",
    "missing_scope",
    "not_allowed_token_type",
    "restricted_action",
    "invalid_arguments",
    "file_not_found",
}
# A calendar invite that arrives days late is no use: after this many failed tries it is given up on.
FILE_ATTEMPTS = 3
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, capped at an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def deliver(
    services: Services,
    client: WebClient,
    *,
    keys: Sequence[str] | None = None,
    batch: int = 50,
    now: datetime | None = None,
) -> DeliveryReport:
    """Send every due outbox message (or just those with `keys`), one lease at a time.

    Each message is leased in its own transaction before the Slack call, and marked sent with Slack's
    channel and ts right after, so a second sender (or a rerun after a crash) never repeats a sent message.

    Args:
        services: database and clock.
        client: the Slack Web API client.
        keys: only these messages (e.g. one round's introductions); None sends everything due.
        batch: how many rows to lease at once.
        now: the moment to send as of (a `tick --now`); the clock's time otherwise.
    """
    clock = (lambda: now) if now is not None else services.clock
    report = DeliveryReport()
    while True:
        with session_scope(services.engine) as session:
            claimed = claim_due(session=session, now=clock(), limit=batch, keys=keys)
        if not claimed:
            return report
        failpoint("outbox.after_claim")
        for claim in claimed:
            if services.stopping.is_set():
                # The rest of the batch stays leased until its lease runs out; then any sender takes it.
                return report
            _send_one(services, client, claim, report, clock)


def slack_time_zone(client: WebClient, user_id: str) -> str | None:
    """Someone's time zone from their Slack profile; None when Slack can't say (the send then decides)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.info("no time zone for %s (%s)", user_id, exc.response.get("error") if exc.response else exc)
        return None
    return str(user["tz"]) if user.get("tz") and not user.get("deleted") else None


def _send_one(
    services: Services, client: WebClient, claim: Claim, report: DeliveryReport, clock: Callable[[], datetime]
) -> None:
    now = clock()
    message_id = claim.message_id
    with session_scope(services.engine) as session:
        address = address_of(session=session, message_id=message_id)
        row = session.get_one(OutboxMessage, message_id)
        text, blocks, attempts, pairing_id = row.text, row.blocks, row.attempts, row.pairing_id
        posted_in, posted_ts = row.channel, row.ts
        file = Attachment.from_json(row.attachment) if row.attachment else None
        parent = message_by_key(session=session, key=file.thread_key) if file and file.thread_key else None
        if file is not None and parent is not None and not parent.ts and parent.status in WAITING:
            # The message this file belongs under hasn't gone out yet: wait for it, without counting an attempt.
            defer(session=session, claim=claim, until=now + timedelta(seconds=30))
            return
        thread = (parent.channel, parent.ts) if parent is not None and parent.channel and parent.ts else None
        kind, users = address.kind, address.users
        # A post in a pair's conversation is for the pair: their status and working hours decide.
        people = (users or _pair_people(session, pairing_id)) if kind.working_hours_only else users
        folks = participants_by_id(session=session, user_ids=people) if kind.working_hours_only else {}
        if kind.quiet_when_away and any(
            u not in folks or current_status(folks[u], now) is not Status.ACTIVE for u in people
        ):
            cancel(session=session, claim=claim)
            return
        zones = [folks[u].tz for u in people if u in folks]
        # Sponsors are often not in the program, so we hold no time zone for them: ask Slack, at send time.
        outsiders = [u for u in people if u not in folks] if kind.working_hours_only else []
    zones += [tz for u in outsiders if (tz := slack_time_zone(client, u))]
    if zones and (opens := common_window(now, zones)) > now:
        # Outside someone's working day (a note timed for the mentee's day, a retry that slipped into the
        # evening): wait, without counting an attempt.
        with session_scope(services.engine) as session:
            defer(session=session, claim=claim, until=opens)
        return
    with session_scope(services.engine) as session:
        # The fence: a lease can run out while a long batch waits on Slack's rate limits, and another sender
        # may have taken the row since; sending it here too would send it twice.
        if not hold(session=session, claim=claim, now=clock()):
            log.warning("outbox message %s: lease lost before sending; its new holder sends it", message_id)
            return
    if file is not None:
        _send_file(
            services,
            client,
            claim,
            report,
            clock,
            file=file,
            text=text,
            thread=thread,
            users=users,
            channel=address.channel,
            attempts=attempts,
        )
        return
    try:
        if posted_in and posted_ts:
            # Sent before, and its content replaced since (a preview as its round moves on): edit in place.
            response = client.chat_update(channel=posted_in, ts=posted_ts, text=text, blocks=blocks or None)
        else:
            channel = address.channel
            if channel is None and len(users) == 1:
                # Slack posts to a user id in the app's DM with them: no conversations.open (a Tier 3 call).
                channel = users[0]
            elif channel is None:
                # A group: open (or find) the group DM with exactly these people.
                channel = client.conversations_open(users=",".join(users))["channel"]["id"]
            response = client.chat_postMessage(channel=channel, text=text, blocks=blocks or None, unfurl_links=False)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error")) if exc.response is not None else "unknown_error"
        now = clock()
        report.failed += 1
        report.errors.append(error)
        if error in PERMANENT:
            log.warning("outbox message %s refused for good (%s); not retrying", message_id, error)
            with session_scope(services.engine) as session:
                # Not for a goodbye or a copy of someone's data: they may have just had everything deleted, and
                # the notice would name them again.
                tell = kind is not MessageKind.LEAD_ALERT and not kind.forget_recipients_when_sent
                if mark_undeliverable(session=session, claim=claim, error=error) and tell:
                    _tell_leads_once(services, session, users, error, now)
            return
        retry_at = now + backoff(attempts)
        log.warning("outbox message %s not sent (%s); retrying at %s", message_id, error, retry_at.isoformat())
        with session_scope(services.engine) as session:
            mark_failed(session=session, claim=claim, error=error, retry_at=retry_at)
        return
    failpoint("outbox.after_send")
    _record_sent(services, claim, response["channel"], response["ts"], kind, pairing_id, clock)
    report.sent += 1


# After Slack accepted a message, the row must say so or the message goes out again once its lease ends: a
# short database blip is waited out (well inside the lease) rather than turned into a repeat.
RECORD_RETRIES = (0.5, 1.0, 2.0, 4.0, 8.0)


def _record_sent(
    services: Services,
    claim: Claim,
    channel: str,
    ts: str,
    kind: MessageKind,
    pairing_id: int | None,
    clock: Callable[[], datetime],
) -> None:
    for pause in (*RECORD_RETRIES, None):
        try:
            with session_scope(services.engine) as session:
                mark_sent(session=session, claim=claim, channel=channel, ts=ts, now=clock())
                if kind is MessageKind.INTRO and pairing_id is not None:
                    # Later buttons and nudges post into the pair's own conversation.
                    record_intro_channel(session=session, pairing_id=pairing_id, channel=channel)
            return
        except StoreUnavailable:
            if pause is None:
                log.error("outbox message %s was sent (ts %s) but could not be recorded", claim.message_id, ts)
                raise
            time.sleep(pause)


def _pair_people(session: Session, pairing_id: int | None) -> list[str]:
    pairing = session.get(Pairing, pairing_id) if pairing_id is not None else None
    return [pairing.mentor_id, pairing.mentee_id] if pairing is not None else []


def _send_file(
    services: Services,
    client: WebClient,
    claim: Claim,
    report: DeliveryReport,
    clock: Callable[[], datetime],
    *,
    file: Attachment,
    text: str,
    thread: tuple[str, str] | None,
    users: list[str],
    channel: str | None,
    attempts: int,
) -> None:
    """Upload a file (Slack's v2 flow: get a URL, upload, complete) into its thread, or the conversation."""
    try:
        if thread is not None:
            channel = thread[0]
        elif channel is None:
            channel = client.conversations_open(users=",".join(users))["channel"]["id"]
        response = client.files_upload_v2(
            channel=channel,
            thread_ts=thread[1] if thread else None,
            content=file.body,
            filename=file.name,
            title=file.title,
            initial_comment=text,
        )
    except SlackClientError as exc:
        if isinstance(exc, SlackApiError) and exc.response is not None:
            error = str(exc.response.get("error", "unknown_error"))
        else:
            error = "upload_failed"  # the upload URL itself answered badly (SlackRequestError)
        report.failed += 1
        report.errors.append(error)
        now = clock()
        # `attempts` already counts this one (the claim did).
        if error in PERMANENT or error in FILE_REFUSALS or attempts >= FILE_ATTEMPTS:
            log.warning("outbox message %s: Slack would not take the file (%s); not retrying", claim.message_id, error)
            with session_scope(services.engine) as session:
                refused = mark_undeliverable(session=session, claim=claim, error=error)
                parent = message_by_key(session=session, key=file.thread_key) if file.thread_key else None
                # Only while the post still says what it said when this file was queued: a post moved or
                # cancelled since must not come back to life as "booked".
                if refused and parent is not None and parent.revision == 0 and file.on_refusal_text is not None:
                    # The post it belonged under says so, rather than promising a file that never came.
                    revise(
                        session=session,
                        key=parent.key,
                        text=file.on_refusal_text,
                        blocks=file.on_refusal_blocks or [],
                        now=now,
                    )
            return
        with session_scope(services.engine) as session:
            mark_failed(session=session, claim=claim, error=error, retry_at=now + backoff(attempts))
        return
    uploaded = (response.get("files") or [{}])[0]
    _record_sent(services, claim, channel, str(uploaded.get("id") or "file"), MessageKind.INVITE, None, clock)
    report.sent += 1


def _tell_leads_once(services: Services, session: Session, users: list[str], error: str, now: datetime) -> None:
    """Someone Turnabout cannot reach: the leads hear once per person (or group), with what Slack said, so a
    person is never silently dropped from their pair's conversation."""
    if not users:
        return  # a channel (the leads' own, or a pair's) is gone: the log line is all there is to say
    text = unreachable_alert(user_ids=users, error=error)
    for draft in lead_drafts(services, key=keys.unreachable(users), text=text, about=users):
        enqueue(session=session, draft=draft, now=now)
