"""Sending what the outbox holds: once each, resuming after errors, rate limits or a crash.

The one way Turnabout talks outside an immediate reply: a use case writes a message to the outbox in its own
transaction and returns its key; the caller then asks `deliver` for just those keys (answers to what someone
just did), or leaves it to the next tick (everything due). Each message's kind decides its rules (see
`bot.domain.outbox.MessageKind`): dropped when a recipient is away, held for working hours, sent ahead of
the backlog.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from sqlalchemy import Engine
from sqlmodel import Session

from bot.blocks.messages import unreachable_alert
from bot.domain.momentum import common_window
from bot.domain.outbox import RATE_WINDOW, SEND_RATES, MessageKind, keys
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
    pause_method,
    remember_channel,
    renew,
    revise,
    take_slot,
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
    # 429s Slack answered that reached the sender (after the client's own retries), each waited out.
    rate_limited: int = 0

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.errors += other.errors
        self.rate_limited += other.rate_limited


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, capped at an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


# How many messages are sent at once, each to a different conversation: Slack's per-method budgets, not the
# round trip, bound the pace, so a handful of threads keeps every budget busy.
SENDERS = 8
# Claims held at once by one `deliver` (most of them waiting for a budget to refill): enough for a large round's
# posts to go out while its group introductions wait for conversations.open.
MAX_HELD = 5000
# The sender's window is a little longer than Slack's, so a call sent a moment late (a busy machine) never makes
# Slack count one call too many in its own window.
RATE_MARGIN = 1.0
RENEW_EVERY = 30.0  # seconds between lease renewals of claims waiting for a budget


class Throttled(Exception):
    """A Slack method's budget is spent (or Slack said 429): try this message again in `wait` seconds."""

    def __init__(self, method: str, wait: float, *, by_slack: bool = False) -> None:
        super().__init__(f"{method}: wait {wait:.1f} s")
        self.method = method
        self.wait = wait
        self.by_slack = by_slack  # a 429 Slack answered, rather than our own budget


class Limiter:
    """Slack's per-method budgets (`SEND_RATES`), shared through the database by every process that sends.

    A process that learns a method is spent remembers until when, so its other messages needing that method
    wait without asking the database again.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        rates: Mapping[str, int] = SEND_RATES,
        window: float = RATE_WINDOW + RATE_MARGIN,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.rates = rates
        self.window = window
        self.wall = wall
        self._spent: dict[str, float] = {}  # method -> wall time it may be tried again
        self._lock = threading.Lock()

    def take(self, method: str) -> None:
        """Take one call of `method`, or raise `Throttled` with how long to wait."""
        per_window = self.rates.get(method)
        if per_window is None:
            return
        now = self.wall()
        with self._lock:
            until = self._spent.get(method, 0.0)
        if until > now:
            raise Throttled(method, until - now)
        with session_scope(self.engine) as session:
            wait = take_slot(session=session, method=method, per_window=per_window, window=self.window, now=now)
        if wait > 0:
            self._block(method, now + wait)
            raise Throttled(method, wait)

    def refused(self, method: str, retry_after: float) -> None:
        """Slack answered 429: nobody sends `method` for `retry_after` seconds (chat.postMessage aside, whose 429
        is usually one conversation's per-second limit, not the workspace's)."""
        until = self.wall() + retry_after
        if method == "chat.postMessage":
            return
        self._block(method, until)
        with session_scope(self.engine) as session:
            pause_method(session=session, method=method, until=until)

    def _block(self, method: str, until: float) -> None:
        with self._lock:
            self._spent[method] = max(self._spent.get(method, 0.0), until)


def deliver(
    services: Services,
    client: WebClient,
    *,
    keys: Sequence[str] | None = None,
    batch: int = 50,
    now: datetime | None = None,
    progress: Callable[[DeliveryReport], None] | None = None,
    limiter: Limiter | None = None,
    senders: int = SENDERS,
) -> DeliveryReport:
    """Send every due outbox message (or just those with `keys`), several conversations at once.

    Each message is leased before the Slack call and marked sent with Slack's channel and ts right after, so a
    second sender (or a rerun after a crash) never repeats a sent message. A lease covers one message per
    conversation (`storage.outbox.claim_due`), so each conversation gets its messages in order while up to
    `SENDERS` conversations are served at once. Every call takes its place in Slack's per-method budget
    (`Limiter`, shared with the other processes); a message whose method is spent waits, holding its lease,
    while messages needing other methods go on, and a 429 is waited out for as long as Slack says.

    Args:
        services: database and clock.
        client: the Slack Web API client.
        keys: only these messages (e.g. one round's introductions); None sends everything due.
        batch: how many rows to lease at once.
        now: the moment to send as of (a `tick --now`); the clock's time otherwise.
        progress: called with the running totals after each message settles (from this thread).
        limiter: the rate limiter to use; one over `services.engine` by default.
        senders: how many conversations are served at once.
    """
    clock = (lambda: now) if now is not None else services.clock
    run = _Run(services, client, clock, limiter or Limiter(services.engine), progress, senders)
    return run.run(keys, batch)


@dataclass(order=True)
class _Waiting:
    ready_at: float  # monotonic
    seq: int
    claim: Claim = field(compare=False)
    method: str = field(compare=False)


class _Run:
    """One `deliver` call: a dispatcher (the caller's thread) leasing messages and handing them to a bounded pool."""

    def __init__(
        self,
        services: Services,
        client: WebClient,
        clock: Callable[[], datetime],
        limiter: Limiter,
        progress: Callable[[DeliveryReport], None] | None,
        senders: int,
    ) -> None:
        self.services, self.client, self.clock = services, client, clock
        self.senders = senders
        self.limiter, self.progress = limiter, progress
        self.report = DeliveryReport()
        self.ready: deque[Claim] = deque()
        self.waiting: list[_Waiting] = []
        self.running: dict[Future[None], Claim] = {}
        self.seq = 0
        self._lock = threading.Lock()  # the workers add to `waiting` and `report`

    def run(self, keys: Sequence[str] | None, batch: int) -> DeliveryReport:
        drained = False
        renewed = time.monotonic()
        with ThreadPoolExecutor(max_workers=self.senders, thread_name_prefix="outbox") as pool:
            while True:
                if self.services.stopping.is_set():
                    self._give_back()
                    return self.report
                if not drained and len(self.ready) < batch and self._held() < MAX_HELD:
                    with session_scope(self.services.engine) as session:
                        claimed = claim_due(session=session, now=self.clock(), limit=batch, keys=keys)
                    if claimed:
                        failpoint("outbox.after_claim")
                    self.ready.extend(claimed)
                    drained = not claimed
                self._wake()
                while self.ready and len(self.running) < self.senders:
                    claim = self.ready.popleft()
                    self.running[pool.submit(self._send, claim)] = claim
                if not self.running and not self.ready and not self.waiting:
                    if drained:
                        return self.report
                    continue
                timeout = max(0.0, self.waiting[0].ready_at - time.monotonic()) if self.waiting else None
                if not self.running:
                    time.sleep(min(timeout or 0.0, 1.0))
                    continue
                finished, _ = wait(list(self.running), timeout=timeout, return_when=FIRST_COMPLETED)
                for future in finished:
                    del self.running[future]
                    future.result()  # a bug or the database gone: surface it as the old loop did
                if finished:
                    # A conversation's next message may be due now that its predecessor settled.
                    drained = False
                    if self.progress is not None:
                        self.progress(self.report)
                if time.monotonic() - renewed > RENEW_EVERY:
                    self._renew()
                    renewed = time.monotonic()

    def _held(self) -> int:
        return len(self.ready) + len(self.waiting) + len(self.running)

    def _send(self, claim: Claim) -> None:
        report = DeliveryReport()
        try:
            _send_one(self.services, self.client, claim, report, self.clock, self.limiter)
        except Throttled as throttled:
            # Re-tried by the dispatcher once the wait is over, still under this lease.
            report.rate_limited += int(throttled.by_slack)
            with self._lock:
                self.seq += 1
                heapq.heappush(
                    self.waiting, _Waiting(time.monotonic() + throttled.wait, self.seq, claim, throttled.method)
                )
        finally:
            with self._lock:
                self.report.add(report)

    def _wake(self) -> None:
        """Waiting messages whose wait is over go back to the front of the queue, oldest first."""
        now = time.monotonic()
        woken: list[Claim] = []
        with self._lock:
            while self.waiting and self.waiting[0].ready_at <= now:
                woken.append(heapq.heappop(self.waiting).claim)
        self.ready.extendleft(reversed(woken))

    def _renew(self) -> None:
        with self._lock:
            held = [*self.ready, *(w.claim for w in self.waiting)]
        if not held:
            return
        with session_scope(self.services.engine) as session:
            kept = renew(session=session, claims=held, now=self.clock())
        lost = {c.message_id for c in held} - kept
        if lost:
            log.warning("outbox: %d leases lost while waiting for a rate limit; their new holders send them", len(lost))
            with self._lock:
                self.ready = deque(c for c in self.ready if c.message_id not in lost)
                self.waiting = [w for w in self.waiting if w.claim.message_id not in lost]
                heapq.heapify(self.waiting)

    def _give_back(self) -> None:
        """Stopping: messages not yet started go back to the queue at once, for any sender to take."""
        for future in list(self.running):
            future.result()
        with self._lock:
            held = [*self.ready, *(w.claim for w in self.waiting)]
            self.ready.clear()
            self.waiting.clear()
        with session_scope(self.services.engine) as session:
            for claim in held:
                defer(session=session, claim=claim, until=self.clock())


def slack_time_zone(client: WebClient, user_id: str, limiter: Limiter | None = None) -> str | None:
    """Someone's time zone from their Slack profile; None when Slack can't say (the send then decides)."""
    try:
        if limiter is not None:
            limiter.take("users.info")
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.info("no time zone for %s (%s)", user_id, exc.response.get("error") if exc.response else exc)
        return None
    return str(user["tz"]) if user.get("tz") and not user.get("deleted") else None


def _retry_after(exc: SlackApiError) -> float | None:
    """Slack's Retry-After, when the error is a 429."""
    response = exc.response
    if response is None or response.status_code != 429:
        return None
    value = (response.headers or {}).get("Retry-After") or (response.headers or {}).get("retry-after")
    try:
        return max(1.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


def _call(limiter: Limiter, method: str, send: Callable[[], SlackResponse]) -> SlackResponse:
    """One Web API call inside the method's budget; a 429 becomes `Throttled` for as long as Slack said."""
    limiter.take(method)
    try:
        return send()
    except SlackApiError as exc:
        retry_after = _retry_after(exc)
        if retry_after is None:
            raise
        limiter.refused(method, retry_after)
        raise Throttled(method, retry_after, by_slack=True) from exc


def _send_one(
    services: Services,
    client: WebClient,
    claim: Claim,
    report: DeliveryReport,
    clock: Callable[[], datetime],
    limiter: Limiter,
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
        people = (users or _pair_people(session, pairing_id, kind)) if kind.working_hours_only else users
        folks = participants_by_id(session=session, user_ids=people) if kind.working_hours_only else {}
        if kind.quiet_when_away and any(
            u not in folks or current_status(folks[u], now) is not Status.ACTIVE for u in people
        ):
            cancel(session=session, claim=claim)
            return
        if kind.about_the_mentor and any(u in folks and current_status(folks[u], now) is Status.LEFT for u in people):
            cancel(session=session, claim=claim)  # no public thanks to someone who has left since
            return
        zones = [folks[u].tz for u in people if u in folks]
        # Sponsors are often not in the program, so we hold no time zone for them: ask Slack, at send time.
        outsiders = [u for u in people if u not in folks] if kind.working_hours_only else []
    zones += [tz for u in outsiders if (tz := slack_time_zone(client, u, limiter))]
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
            limiter,
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
            response = _call(
                limiter,
                "chat.update",
                lambda: client.chat_update(channel=posted_in, ts=posted_ts, text=text, blocks=blocks or None),
            )
        else:
            channel = address.channel or posted_in
            if channel is None and len(users) == 1:
                # Slack posts to a user id in the app's DM with them: no conversations.open (a Tier 3 call).
                channel = users[0]
            elif channel is None:
                # A group: open (or find) the group DM with exactly these people, once: a retry finds it kept.
                channel = _open(services, client, limiter, claim, users)
            to = channel
            response = _call(
                limiter,
                "chat.postMessage",
                lambda: client.chat_postMessage(channel=to, text=text, blocks=blocks or None, unfurl_links=False),
            )
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


def _open(services: Services, client: WebClient, limiter: Limiter, claim: Claim, users: list[str]) -> str:
    """Open a group's conversation and keep its id on the message, so a retry does not open it again."""
    opened = _call(limiter, "conversations.open", lambda: client.conversations_open(users=",".join(users)))
    channel = str(opened["channel"]["id"])
    with session_scope(services.engine) as session:
        remember_channel(session=session, claim=claim, channel=channel)
    return channel


def _pair_people(session: Session, pairing_id: int | None, kind: MessageKind) -> list[str]:
    pairing = session.get(Pairing, pairing_id) if pairing_id is not None else None
    if pairing is None:
        return []
    return [pairing.mentor_id] if kind.about_the_mentor else [pairing.mentor_id, pairing.mentee_id]


def _send_file(
    services: Services,
    client: WebClient,
    claim: Claim,
    report: DeliveryReport,
    clock: Callable[[], datetime],
    limiter: Limiter,
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
            channel = _open(services, client, limiter, claim, users)
        # files_upload_v2 makes two Web API calls (and a plain upload between them): both take their place.
        limiter.take("files.getUploadURLExternal")
        limiter.take("files.completeUploadExternal")
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
