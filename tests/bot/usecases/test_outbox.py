"""The outbox protocol (`storage.outbox`, `bot.domain.outbox`) and delivery (`bot.usecases.delivery`) on a real
database; Slack is a small recording fake, since what matters here is what the rows say afterwards."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any, cast

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse
from sqlalchemy import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import col, select

from bot.domain.outbox import MessageKind
from bot.usecases.delivery import deliver
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxRecipient, OutboxStatus, OutboxSubject
from storage.outbox import (
    LEASE,
    Attachment,
    Draft,
    cancel_pending,
    claim_due,
    enqueue,
    enqueue_many,
    forget_person_messages,
    hold,
    mark_sent,
    recipients,
    replace,
)
from tests.bot.usecases.conftest import LEAD, LEADS_CHANNEL, NOW, Clock

MINUTE = timedelta(minutes=1)


def dm(key: str, *users: str, kind: MessageKind = MessageKind.WAITLIST, text: str = "hello", **more: Any) -> Draft:
    return Draft(key=key, kind=kind, users=list(users), text=text, blocks=[], **more)


def put(engine: Engine, *drafts: Draft) -> list[bool]:
    with session_scope(engine) as session:
        return [enqueue(session=session, draft=draft, now=NOW) for draft in drafts]


def row(engine: Engine, key: str) -> OutboxMessage:
    with session_scope(engine) as session:
        return session.exec(select(OutboxMessage).where(col(OutboxMessage.key) == key)).one()


def keys_in(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage.key).order_by(col(OutboxMessage.id))))


def to_of(engine: Engine, key: str) -> list[str]:
    with session_scope(engine) as session:
        return recipients(session=session, message_id=row(engine, key).id or 0)


def subjects_of(engine: Engine, key: str) -> list[str]:
    with session_scope(engine) as session:
        query = select(OutboxSubject.user_id).where(col(OutboxSubject.message_id) == row(engine, key).id)
        return sorted(session.exec(query))


def replace_key(draft: Draft, key: str) -> Draft:
    return dataclasses.replace(draft, key=key)


# --- enqueueing --------------------------------------------------------------------------------------------


def test_the_same_key_twice_is_one_message(engine: Engine) -> None:
    added = put(engine, dm("waitlist:1:U0ANA", "U0ANA", text="first"), dm("waitlist:1:U0ANA", "U0BO", text="second"))

    assert added == [True, False]
    assert keys_in(engine) == ["waitlist:1:U0ANA"]
    assert row(engine, "waitlist:1:U0ANA").text == "first"
    assert to_of(engine, "waitlist:1:U0ANA") == ["U0ANA"]


def test_many_at_once_skips_keys_already_taken(engine: Engine) -> None:
    put(engine, dm("a", "U0ANA"))
    with session_scope(engine) as session:
        added = enqueue_many(session=session, drafts=[dm("a", "U0ANA"), dm("b", "U0BO")], now=NOW)

    assert added == {"b"}
    assert keys_in(engine) == ["a", "b"]
    assert to_of(engine, "a") == ["U0ANA"]


@pytest.mark.parametrize(
    "address",
    [pytest.param({"users": ["U0ANA"], "channel": "C0LEADS"}, id="both"), pytest.param({}, id="neither")],
)
def test_a_message_goes_to_people_or_to_a_channel_exactly(address: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Draft(key="k", kind=MessageKind.LEAD_ALERT, text="t", blocks=[], **address)


def test_recipients_keep_the_order_they_were_named_in(engine: Engine) -> None:
    people = ["U0ZED", "U0AMY", "U0MID", "U0BEA"]  # the mentor first, then the mentees: not sorted
    put(engine, dm("one", *people))
    with session_scope(engine) as session:
        enqueue_many(session=session, drafts=[dm("many", *reversed(people))], now=NOW)

    assert to_of(engine, "one") == people
    assert to_of(engine, "many") == list(reversed(people))


def test_many_at_once_queues_a_key_named_twice_once_as_first_named(engine: Engine) -> None:
    with session_scope(engine) as session:
        added = enqueue_many(
            session=session,
            drafts=[dm("a", "U0ANA", text="first"), dm("b", "U0BO"), dm("a", "U0CY", "U0DEE", text="second")],
            now=NOW,
        )

    assert added == {"a", "b"}
    assert keys_in(engine) == ["a", "b"]
    assert row(engine, "a").text == "first"
    assert to_of(engine, "a") == ["U0ANA"]


def test_many_at_once_leaves_messages_already_queued_as_they_are(engine: Engine) -> None:
    put(engine, dm("sent", "U0ANA", text="old"), dm("waiting", "U0BO", text="old"))
    with session_scope(engine) as session:
        [claim] = claim_due(session=session, now=NOW, keys=["sent"])
        mark_sent(session=session, claim=claim, channel="D0ANA", ts="1.0", now=NOW)
    before = {key: row(engine, key).model_dump() for key in ("sent", "waiting")}

    with session_scope(engine) as session:
        added = enqueue_many(
            session=session,
            drafts=[
                dm("new-1", "U0CY"),
                dm("sent", "U0ZED", text="new"),
                dm("waiting", "U0ZED", text="new"),
                dm("new-2", "U0DEE"),
            ],
            now=NOW + MINUTE,
        )

    assert added == {"new-1", "new-2"}
    assert {key: row(engine, key).model_dump() for key in ("sent", "waiting")} == before
    assert to_of(engine, "waiting") == ["U0BO"]
    # New messages get ids in the order given, which is the order a conversation's messages are sent in.
    assert keys_in(engine) == ["sent", "waiting", "new-1", "new-2"]
    assert [to_of(engine, key) for key in ("new-1", "new-2")] == [["U0CY"], ["U0DEE"]]


def test_many_at_once_writes_each_message_as_one_at_a_time_would(engine: Engine) -> None:
    # Every field a draft sets, with text and blocks no escaping may alter (quotes, backslashes, non-ASCII).
    text = 'She said "let\'s meet" \\ at 9 \u2014 caf\u00e9 \U0001f600'
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}, "block_id": 'q"\\'}]
    invite = Attachment(name="a.ics", title="Session", body="BEGIN:VCALENDAR\r\n", thread_key="booking:1")
    drafts = [
        Draft(
            key="dm",
            kind=MessageKind.INTRO,
            text=text,
            blocks=blocks,
            users=["U0ZED", "U0AMY", "U0MID"],
            pairing_id=7,
            about=["U0SAM", "U0BEA", "U0SAM"],
        ),
        dm("later", "U0ANA", kind=MessageKind.NUDGE, not_before=NOW + timedelta(hours=3), pairing_id=8),
        dm("now", "U0ANA", kind=MessageKind.CONFIRMATION),
        Draft(key="chan", kind=MessageKind.INVITE, text="", blocks=[], channel="C0PAIR", file=invite),
    ]
    with session_scope(engine) as session:
        for draft in drafts:
            assert enqueue(session=session, draft=replace_key(draft, "one:" + draft.key), now=NOW)
        added = enqueue_many(session=session, drafts=[replace_key(d, "many:" + d.key) for d in drafts], now=NOW)
    assert added == {"many:" + d.key for d in drafts}

    for draft in drafts:
        one, many = row(engine, "one:" + draft.key), row(engine, "many:" + draft.key)
        assert many.model_dump(exclude={"id", "key"}) == one.model_dump(exclude={"id", "key"})
        assert to_of(engine, "many:" + draft.key) == to_of(engine, "one:" + draft.key) == list(draft.users)
        assert subjects_of(engine, "many:" + draft.key) == subjects_of(engine, "one:" + draft.key)
    assert row(engine, "many:dm").text == text
    assert row(engine, "many:dm").blocks == blocks
    assert subjects_of(engine, "many:dm") == ["U0BEA", "U0SAM"]
    assert row(engine, "many:chan").attachment == invite.to_json()
    assert row(engine, "many:later").not_before == NOW + timedelta(hours=3)
    assert row(engine, "many:now").priority == 1


def test_many_at_once_refuses_a_naive_time(engine: Engine) -> None:
    # Raised by the column type itself (wrapped by SQLAlchemy) or, where the rows go as JSON, by its rule.
    with session_scope(engine) as session, pytest.raises((ValueError, StatementError), match="naive"):
        enqueue_many(session=session, drafts=[dm("a", "U0ANA", not_before=NOW.replace(tzinfo=None))], now=NOW)
    assert keys_in(engine) == []


def test_forgetting_someone_deletes_unsent_messages_to_exactly_them(engine: Engine) -> None:
    put(
        engine,
        dm("to-tom", "U0TOM"),
        dm("group-with-tom", "U0ANA", "U0TOM", kind=MessageKind.INTRO),
        dm("to-tommy", "U0TOMMY"),
        dm("group-with-tommy", "U0ANA", "U0TOMMY", kind=MessageKind.INTRO),
    )
    gone = [row(engine, "to-tom").id, row(engine, "group-with-tom").id]

    with session_scope(engine) as session:
        forget_person_messages(session=session, user_id="U0TOM", alias="deleted-1", pairing_ids=[])

    # Tom's unsent messages, group ones included, go; Tommy's id merely starts with his and stays.
    assert keys_in(engine) == ["to-tommy", "group-with-tommy"]
    assert to_of(engine, "to-tommy") == ["U0TOMMY"]
    assert to_of(engine, "group-with-tommy") == ["U0ANA", "U0TOMMY"]
    with session_scope(engine) as session:
        orphans = session.exec(select(OutboxRecipient).where(col(OutboxRecipient.message_id).in_(gone))).all()
    assert orphans == []


# --- replacing, claiming, cancelling ------------------------------------------------------------------------


def test_replacing_a_sent_message_queues_an_edit_and_a_stale_send_leaves_it_pending(engine: Engine) -> None:
    key = "preview:1"

    def preview(text: str) -> Draft:
        return dm(key, LEAD, kind=MessageKind.PREVIEW, text=text)

    put(engine, preview("v1"))
    with session_scope(engine) as session:
        [claim] = claim_due(session=session, now=NOW)
        mark_sent(session=session, claim=claim, channel="D0LEAD", ts="100.1", now=NOW)
    sent = row(engine, key)
    assert (sent.status, sent.revision, sent.text, sent.ts) == (OutboxStatus.SENT, 0, "", "100.1")

    # The round moves on: new content for the message Slack already has.
    with session_scope(engine) as session:
        replace(session=session, draft=preview("v2"), now=NOW + MINUTE)
    edited = row(engine, key)
    assert (edited.status, edited.revision, edited.text) == (OutboxStatus.PENDING, 1, "v2")
    assert (edited.not_before, edited.attempts) == (NOW + MINUTE, 0)
    assert (edited.channel, edited.ts) == ("D0LEAD", "100.1"), "the next send edits Slack's copy in place"

    # A send of v2 is under way when v3 arrives: the send completes, but the row stays pending with v3.
    with session_scope(engine) as session:
        [stale] = claim_due(session=session, now=NOW + 2 * MINUTE)
    with session_scope(engine) as session:
        replace(session=session, draft=preview("v3"), now=NOW + 2 * MINUTE)
    assert (stale.revision, row(engine, key).status, row(engine, key).revision) == (1, OutboxStatus.SENDING, 2)
    with session_scope(engine) as session:
        mark_sent(session=session, claim=stale, channel="D0LEAD", ts="100.1", now=NOW + 3 * MINUTE)
    left = row(engine, key)
    assert (left.status, left.revision, left.text, left.not_before) == (OutboxStatus.PENDING, 2, "v3", NOW + 3 * MINUTE)

    with session_scope(engine) as session:
        [fresh] = claim_due(session=session, now=NOW + 3 * MINUTE)
        mark_sent(session=session, claim=fresh, channel="D0LEAD", ts="100.1", now=NOW + 3 * MINUTE)
    assert (row(engine, key).status, row(engine, key).text) == (OutboxStatus.SENT, "")


def test_answers_to_what_someone_just_did_are_claimed_before_the_backlog(engine: Engine) -> None:
    put(
        engine,
        dm("nudge-old", "U0ANA", kind=MessageKind.NUDGE, not_before=NOW - 2 * timedelta(hours=1)),
        dm("nudge-new", "U0BO", kind=MessageKind.NUDGE, not_before=NOW - timedelta(hours=1)),
        dm("nudge-later", "U0CY", kind=MessageKind.NUDGE, not_before=NOW + timedelta(hours=1)),
        dm("welcome:V0NEW", "U0DEE", kind=MessageKind.WELCOME),
    )
    assert [row(engine, k).priority for k in ("nudge-old", "welcome:V0NEW")] == [0, 1]

    with session_scope(engine) as session:
        claims = claim_due(session=session, now=NOW)
        claimed = [session.get_one(OutboxMessage, c.message_id).key for c in claims]

    assert claimed == ["welcome:V0NEW", "nudge-old", "nudge-new"]
    leased = row(engine, "nudge-old")
    assert (leased.status, leased.attempts, leased.claimed_until) == (OutboxStatus.SENDING, 1, NOW + LEASE)
    assert row(engine, "nudge-later").status == OutboxStatus.PENDING


def test_cancelling_pending_touches_only_that_pairs_messages_of_that_kind(engine: Engine) -> None:
    def reminder(key: str, pairing_id: int, kind: MessageKind = MessageKind.REMINDER) -> Draft:
        return dm(key, "U0ANA", kind=kind, pairing_id=pairing_id)

    put(
        engine,
        reminder("reminder:1:new", 1),
        reminder("reminder:1:old", 1),
        reminder("reminder:1:sent", 1),
        reminder("reminder:2:other-pair", 2),
        reminder("checkin:1:other-kind", 1, MessageKind.CHECKIN),
    )
    with session_scope(engine) as session:
        [claim] = claim_due(session=session, now=NOW, keys=["reminder:1:sent"])
        mark_sent(session=session, claim=claim, channel="D0ANA", ts="1.1", now=NOW)

    with session_scope(engine) as session:
        cancelled = cancel_pending(session=session, kind=MessageKind.REMINDER, pairing_id=1, keep=["reminder:1:new"])

    assert cancelled == 1
    assert {key: row(engine, key).status for key in keys_in(engine)} == {
        "reminder:1:new": OutboxStatus.PENDING,
        "reminder:1:old": OutboxStatus.CANCELLED,
        "reminder:1:sent": OutboxStatus.SENT,
        "reminder:2:other-pair": OutboxStatus.PENDING,
        "checkin:1:other-kind": OutboxStatus.PENDING,
    }


def test_each_kind_carries_its_delivery_rules() -> None:
    def kinds(rule: str) -> set[MessageKind]:
        return {kind for kind in MessageKind if getattr(kind, rule)}

    quiet = {
        MessageKind.NUDGE,
        MessageKind.REMINDER,
        MessageKind.CHECKIN,
        MessageKind.THANKS,
        MessageKind.PARTNER_NOTE,
        MessageKind.PULSE,
        MessageKind.MILESTONE,
        MessageKind.AGREEMENT,
    }
    assert kinds("quiet_when_away") == quiet
    assert kinds("working_hours_only") == quiet | {
        MessageKind.SPONSOR,
        MessageKind.GHOST,
        MessageKind.HAPPENED,
        MessageKind.CLOSEOUT,
        MessageKind.CYCLE_THANKS,
        MessageKind.MANAGER_NOTE,
        MessageKind.CYCLE_END,
        MessageKind.SHOUT_OUT,
    }
    assert kinds("about_the_mentor") == {MessageKind.SHOUT_OUT}
    assert kinds("send_now") == {
        MessageKind.WELCOME,
        MessageKind.CONFIRMATION,
        MessageKind.PREVIEW,
        MessageKind.NEXT_SESSION,
        MessageKind.ENDED,
        MessageKind.MY_DATA,
        MessageKind.BOOKING,
        MessageKind.INVITE,
        MessageKind.CADENCE,
    }
    # A copy of someone's data reaches them even after they left; once Slack has it, no trace of whom it was for.
    assert kinds("forget_recipients_when_sent") == {MessageKind.CONFIRMATION, MessageKind.MY_DATA}


# --- delivery -----------------------------------------------------------------------------------------------


class FakeSlack:
    """Records every Web API call; `fail_next` makes the next call to a method fail as Slack would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: dict[str, list[tuple[str, int]]] = {}
        self.posted = 0

    def fail_next(self, method: str, *, error: str, status: int) -> None:
        self.failures.setdefault(method, []).append((error, status))

    def _call(self, method: str, kwargs: dict[str, Any]) -> None:
        self.calls.append((method, kwargs))
        queued = self.failures.get(method)
        if queued:
            error, status = queued.pop(0)
            response = SlackResponse(
                client=None,
                http_verb="POST",
                api_url=f"https://slack.com/api/{method}",
                req_args={},
                data={"ok": False, "error": error},
                headers={},
                status_code=status,
            )
            raise SlackApiError(f"The request to the Slack API failed. ({error})", response)

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        self._call("chat.postMessage", kwargs)
        self.posted += 1
        channel = str(kwargs["channel"])
        # Posting to a user id lands in the app's DM with them.
        return {
            "ok": True,
            "channel": "D" + channel[1:] if channel.startswith("U") else channel,
            "ts": f"{self.posted}.0",
        }

    def conversations_open(self, **kwargs: Any) -> dict[str, Any]:
        self._call("conversations.open", kwargs)
        return {"ok": True, "channel": {"id": "G0GROUP"}}

    def chat_update(self, **kwargs: Any) -> dict[str, Any]:
        self._call("chat.update", kwargs)
        return {"ok": True, "channel": kwargs["channel"], "ts": kwargs["ts"]}

    def users_info(self, **kwargs: Any) -> dict[str, Any]:
        self._call("users.info", kwargs)
        return {"ok": True, "user": {"id": kwargs["user"], "tz": "UTC"}}

    @property
    def client(self) -> WebClient:
        return cast(WebClient, self)

    def methods(self) -> list[tuple[str, str]]:
        """Each call as (method, where it went)."""
        return [(method, str(kw.get("channel") or kw.get("users"))) for method, kw in self.calls]


def test_one_person_is_posted_to_by_user_id_and_a_group_in_its_own_conversation(services: Services) -> None:
    slack = FakeSlack()
    put(
        services.engine,
        dm("welcome:V0ANA", "U0ANA", kind=MessageKind.WELCOME),
        dm("intro:1:U0MARA", "U0MARA", "U0TEO", kind=MessageKind.INTRO),
    )

    report = deliver(services, slack.client, keys=["welcome:V0ANA", "intro:1:U0MARA"], now=NOW)

    assert (report.sent, report.failed) == (2, 0)
    # The two conversations are served side by side, so only the group's own calls have an order.
    calls = slack.methods()
    assert sorted(calls) == [
        ("chat.postMessage", "G0GROUP"),
        ("chat.postMessage", "U0ANA"),  # no conversations.open for one person
        ("conversations.open", "U0MARA,U0TEO"),
    ]
    assert calls.index(("conversations.open", "U0MARA,U0TEO")) < calls.index(("chat.postMessage", "G0GROUP"))
    welcome, intro = row(services.engine, "welcome:V0ANA"), row(services.engine, "intro:1:U0MARA")
    assert (welcome.status, welcome.channel, welcome.text) == (OutboxStatus.SENT, "D0ANA", "")
    assert (intro.status, intro.channel, intro.sent_at) == (OutboxStatus.SENT, "G0GROUP", NOW)
    assert {welcome.ts, intro.ts} == {"1.0", "2.0"}


def test_a_failed_send_stays_queued_and_a_later_delivery_sends_it_once(services: Services) -> None:
    slack = FakeSlack()
    slack.fail_next("chat.postMessage", error="internal_error", status=500)
    put(services.engine, dm("waitlist:1:U0ANA", "U0ANA"))

    failed = deliver(services, slack.client, keys=["waitlist:1:U0ANA"], now=NOW)

    assert (failed.sent, failed.failed, failed.errors) == (0, 1, ["internal_error"])
    kept = row(services.engine, "waitlist:1:U0ANA")
    assert (kept.status, kept.last_error, kept.attempts) == (OutboxStatus.PENDING, "internal_error", 1)
    assert kept.not_before == NOW + MINUTE, "retried after a minute's back-off"
    assert kept.text == "hello"

    assert deliver(services, slack.client, keys=["waitlist:1:U0ANA"], now=NOW).sent == 0, "not due yet"
    retried = deliver(services, slack.client, keys=["waitlist:1:U0ANA"], now=NOW + 2 * MINUTE)
    assert deliver(services, slack.client, keys=["waitlist:1:U0ANA"], now=NOW + timedelta(hours=1)).sent == 0

    assert (retried.sent, retried.failed) == (1, 0)
    assert slack.methods() == [("chat.postMessage", "U0ANA"), ("chat.postMessage", "U0ANA")]
    assert slack.posted == 1
    sent = row(services.engine, "waitlist:1:U0ANA")
    assert (sent.status, sent.last_error, sent.attempts, sent.sent_at) == (
        OutboxStatus.SENT,
        None,
        2,
        NOW + 2 * MINUTE,
    )


def test_an_error_no_retry_can_fix_is_never_retried_and_the_leads_hear_once(services: Services) -> None:
    slack = FakeSlack()
    slack.fail_next("chat.postMessage", error="cannot_dm_bot", status=200)
    slack.fail_next("chat.postMessage", error="cannot_dm_bot", status=200)
    put(services.engine, dm("waitlist:1:U0GONE", "U0GONE"), dm("guide:U0GONE", "U0GONE", kind=MessageKind.GUIDE))

    report = deliver(services, slack.client, keys=["waitlist:1:U0GONE", "guide:U0GONE"], now=NOW)
    deliver(services, slack.client, now=NOW + timedelta(days=30))

    assert report.errors == ["cannot_dm_bot", "cannot_dm_bot"]
    for key in ("waitlist:1:U0GONE", "guide:U0GONE"):
        failed = row(services.engine, key)
        assert (failed.status, failed.last_error, failed.claim_token) == (OutboxStatus.FAILED, "cannot_dm_bot", None)
    to_gone = [kwargs for method, kwargs in slack.calls if kwargs.get("channel") == "U0GONE"]
    assert len(to_gone) == 2, "each tried once, never again"
    alerts = [kwargs for method, kwargs in slack.calls if kwargs.get("channel") == LEADS_CHANNEL]
    assert len(alerts) == 1, "the leads hear once about someone unreachable, not once per message"
    assert "<@U0GONE>" in alerts[0]["text"] and "doesn't let the app message them" in alerts[0]["text"]


def test_a_lease_taken_over_can_neither_be_sent_nor_settled_by_its_old_holder(services: Services) -> None:
    put(services.engine, dm("a", "U0ANA"))
    with session_scope(services.engine) as session:
        (old,) = claim_due(session=session, now=NOW)
    later = NOW + LEASE + timedelta(seconds=1)
    with session_scope(services.engine) as session:
        (new,) = claim_due(session=session, now=later)
    with session_scope(services.engine) as session:
        assert not hold(session=session, claim=old, now=later), "the old holder must not send"
        assert hold(session=session, claim=new, now=later)
    with session_scope(services.engine) as session:
        mark_sent(session=session, claim=old, channel="D0ANA", ts="1.0", now=later)
    stolen = row(services.engine, "a")
    assert (stolen.status, stolen.ts, stolen.claim_token) == (OutboxStatus.SENDING, None, new.token)


class SlowSlack(FakeSlack):
    """Slack answering in 20 s a call (rate limits), so a batch outlives its two-minute lease; when the batch is
    130 s old, a second sender (the sweep, in another process) runs."""

    def __init__(self, services: Services, clock: Clock) -> None:
        super().__init__()
        self.services, self.clock, self.second_sender_ran = services, clock, False

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        self.clock.now += timedelta(seconds=20)
        if not self.second_sender_ran and self.clock.now - NOW >= timedelta(seconds=130):
            self.second_sender_ran = True
            deliver(self.services, self.client)
        return super().chat_postMessage(**kwargs)


def test_a_batch_that_outlives_its_lease_sends_nothing_twice(services: Services, clock: Clock) -> None:
    people = [f"U0P{i}" for i in range(8)]
    put(services.engine, *(dm(f"intro:{user}", user) for user in people))
    slack = SlowSlack(services, clock)
    # One conversation at a time: the simulated clock moves 20 s per call, so calls in parallel would each
    # appear to take all of their 20 s steps together, longer than any lease, which no real send does.
    deliver(services, slack.client, batch=50, senders=1)
    assert slack.second_sender_ran
    # A second post, or an "edit" of what the other sender posted, would both be the message twice.
    calls = [(method, kwargs["channel"]) for method, kwargs in slack.calls if method.startswith("chat.")]
    assert sorted(calls) == [("chat.postMessage", user) for user in people], f"each message once, got {calls}"
    assert {row(services.engine, f"intro:{user}").status for user in people} == {OutboxStatus.SENT}
