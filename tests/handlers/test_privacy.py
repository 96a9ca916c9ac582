"""Privacy end to end, through the real app and the fake Slack: deleting everything, keeping it for a while,
a copy of one's own data, and check-in answers that stay private unless the person chooses otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from bot.blocks import ids
from bot.domain.outbox import MessageKind
from bot.domain.people import Status
from bot.sandbox.clock import SimClock
from bot.sandbox.fake_slack import FakeUserActor
from bot.sandbox.local import LocalBot, local_bot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL, PEOPLE
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import CheckIn, Goal, OutboxMessage, OutboxRecipient, Pairing
from tests.scan import occurrences, text_columns
from tests.support import MENTOR_ANSWERS, MONDAY, join, stored

TOM = "U0TOM"

MENTEE: dict[str, Any] = {
    ids.B_ROLE: "mentee",
    ids.B_LEARN: ["genai"],
    ids.B_SENIORITY: "executive",
    ids.B_DEPARTMENT: "Finance",
    ids.B_CADENCE: "biweekly",
    ids.B_GOALS: "Use AI tools with confidence in planning",
    ids.B_CONSENT: ["yes"],
}
# Someone nobody can teach, so they wait: only there to name others in their own answers.
WAITING: dict[str, Any] = {**MENTEE, ids.B_LEARN: ["strategy"], ids.B_SENIORITY: "director", ids.B_DEPARTMENT: "Sales"}


def bot_at(database_url: str, clock: SimClock, transport: str = "http") -> Any:
    return local_bot(
        database_url=database_url,
        users=PEOPLE,
        channels=[LEADS_CHANNEL],
        leads=[LEAD],
        leads_channel=LEADS_CHANNEL.id,
        clock=clock,
        mode=transport,
    )


@pytest.fixture
def on_each_database(engine: Engine) -> Iterator[tuple[LocalBot, SimClock]]:
    """The real bot with a clock, on SQLite and on PostgreSQL (the `engine` fixture's database)."""
    clock = SimClock(MONDAY)
    with bot_at(engine.url.render_as_string(hide_password=False), clock) as bot:
        yield bot, clock
        bot.settle()
        assert bot.fake.violations == []


@pytest.fixture
def timed(tmp_path: Any, transport: str) -> Iterator[tuple[LocalBot, SimClock]]:
    clock = SimClock(MONDAY)
    with bot_at(f"sqlite:///{tmp_path / 'p.db'}", clock, transport) as bot:
        yield bot, clock
        bot.settle()
        assert bot.fake.violations == []


def tick(bot: LocalBot, clock: SimClock, **delta: float) -> dict[str, int]:
    result = run_due_jobs(bot.services, bot.app.client, now=clock.advance(timedelta(**delta)))
    bot.settle()
    return result


def matched(bot: LocalBot) -> tuple[FakeUserActor, FakeUserActor, dict[str, Any]]:
    """Priya (mentor) and Tom (mentee) sign up through the real modal and a lead matches them; returns both and
    their introduction."""
    priya, tom = bot.fake.user("U0PRIYA"), bot.fake.user(TOM)
    join(priya, MENTOR_ANSWERS)
    join(tom, {**MENTEE, ids.B_SPONSOR: "U0OLIVER", ids.B_MANAGER: "U0DIANE", ids.B_DO_NOT_MATCH: ["U0LEO"]})
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    group = next(c.response["channel"]["id"] for c in bot.fake.calls_to("conversations.open") if TOM in c.args["users"])
    return priya, tom, bot.fake.messages(group)[0]


def answer_checkin(person: FakeUserActor, **answers: Any) -> None:
    prompt = next(m for m in reversed(person.dms) if ids.A_CHECKIN_OPEN in str(m))
    person.click(ids.A_CHECKIN_OPEN, where=prompt)
    assert person.modal is not None
    assert person.submit({ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_VALUE: "4", **answers}).closed


def test_leave_and_delete_leaves_the_id_in_no_table_and_no_column(on_each_database: tuple[LocalBot, SimClock]) -> None:
    bot, clock = on_each_database
    # Others name Tom in their own answers: as their manager, their sponsor, someone not to be matched with.
    join(bot.fake.user("U0MARGARET"), {**WAITING, ids.B_MANAGER: TOM, ids.B_DO_NOT_MATCH: [TOM, "U0LEO"]})
    join(bot.fake.user("U0RAJESH"), {**WAITING, ids.B_SPONSOR: TOM})
    priya, tom, intro = matched(bot)
    tom.click(ids.A_AGREE, where=intro)
    tom.click(ids.A_CONFIDENCE_OPEN, where=next(m for m in tom.dms if ids.A_CONFIDENCE_OPEN in str(m)))
    assert tom.submit({ids.B_CONFIDENCE_PREFIX + "genai": "2"}).closed
    assert "number 1" in tom.slash("/mentoring", "log today walked through ChatGPT").ephemeral_text
    tom.click(ids.A_NOT_WORKING, where=intro)
    tick(bot, clock, hours=1, minutes=10)  # the check-ins: 12:10 in Berlin, 16:40 in Kolkata
    # Tom keeps his sign-up goal (pre-filled); Priya sets one for what she wants to learn back.
    answer_checkin(tom, **{ids.B_CHECKIN_FIT: "bad", ids.B_CHECKIN_TELL_LEAD: ["tell_lead"]})
    answer_checkin(
        priya,
        **{
            ids.B_CHECKIN_FIT: "good",
            ids.B_CHECKIN_LEARNED: "Prompting for forecasts",
            ids.B_CHECKIN_GOALS: "Board view",
        },
    )
    assert "direct message" in tom.slash("/mentoring", "mydata").ephemeral_text
    bot.settle()
    engine = bot.services.engine
    before = {o.split(" = ")[0] for o in occurrences(engine, TOM)}
    # The scan sees him wherever he was: it reads every column of every table, text and JSON ones included.
    assert {
        "participant.slack_user_id",
        "participant.manager_id",
        "participant.sponsor_id",
        "participant.do_not_match",
        "pairing.mentee_id",
        "mentoring_session.logged_by",
        "checkin.user_id",
        "prompt.user_id",
        "outbox.key",
        "outbox_recipient.user_id",
        "goal.owner_id",
        "confidence.user_id",
    } <= before
    assert {"outbox.text", "outbox.blocks", "pairing.reasons", "participant.do_not_match"} <= text_columns(engine)

    prompt = tom.slash("/mentoring", "leave")
    assert "30 days" in prompt.ephemeral_text
    tom.click(ids.A_LEAVE_DELETE, where=prompt.ephemerals[-1])
    bot.settle()
    assert any("deleted your profile" in t for t in tom.ephemeral_texts)
    assert "Tom Becker has left the reverse mentoring program" in priya.dm_texts[-1]
    for days in (1, 3, 10):  # whatever was still queued goes out, or is dropped
        tick(bot, clock, days=days)

    assert occurrences(engine, TOM) == []
    assert occurrences(engine, "Tom Becker") == [], "his name went with his id"
    # Priya's history stays meaningful: her pair, its session, her own check-in.
    with session_scope(engine) as session:
        pairing = session.exec(select(Pairing)).one()
        answers = list(session.exec(select(CheckIn)))
    assert pairing.mentor_id == "U0PRIYA" and pairing.mentee_id.startswith("deleted-") and pairing.status == "ended"
    assert [a.user_id for a in answers] == ["U0PRIYA"]
    with session_scope(engine) as session:
        assert [(g.owner_id, g.text) for g in session.exec(select(Goal))] == [("U0PRIYA", "Board view")]
    priya.slash("/mentoring", "mydata")
    bot.settle()
    copy = priya.dm_texts[-1]
    assert "You mentor someone who has since left the program" in copy
    assert "Prompting for forecasts" in copy and "Session on 23 Nov 2026" in copy


def test_my_data_is_everything_stored_about_me_as_a_readable_dm(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    _, tom, _ = matched(bot)
    tom.slash("/mentoring", "log today walked through ChatGPT")
    tick(bot, clock, hours=1, minutes=10)
    answer_checkin(tom, **{ids.B_CHECKIN_FIT: "unsure", ids.B_CHECKIN_BLOCKERS: "Quarter close"})
    assert "number 2" in tom.slash("/mentoring", "log yesterday").ephemeral_text  # its check-in isn't due yet
    heard = len(tom.dms)

    reply = tom.slash("/mentoring", "mydata")
    assert reply.ephemeral_text == "I've sent you a direct message with everything Turnabout stores about you."
    bot.settle()
    assert len(tom.dms) == heard + 1
    copy = tom.dm_texts[-1]
    for seen in (
        "Everything Turnabout stores about you",
        "Tom Becker",  # his profile
        "VP Finance",
        "Use AI tools with confidence in planning",
        "Oliver Grant",  # his sponsor, as Slack shows a mention
        "Diane Whitfield",  # his manager
        "Leo Martins",  # not to be matched with
        "Priya Nair mentors you",  # the pair, with his partner's name
        "Generative AI",
        "logged by you: “walked through ChatGPT”",
        "not sure yet",  # his own check-in answer
        "in the way: “Quarter close”",
        "Messages waiting to be sent to you",
        "How did your session with Priya Nair go?",  # his next check-in, not sent yet
    ):
        assert seen in copy, f"the copy lacks {seen!r}"
    # Priya's words are hers: her copy has her check-in, his has his.
    assert "Prompting" not in copy
    # The copy keeps no trace of whom it was for once Slack has it.
    with session_scope(bot.services.engine) as session:
        copies = session.exec(select(OutboxMessage).where(col(OutboxMessage.kind) == MessageKind.MY_DATA)).all()
        assert copies and all(c.text == "" for c in copies)
        ids_of_copies = [c.id for c in copies]
        assert not session.exec(select(OutboxRecipient).where(col(OutboxRecipient.message_id).in_(ids_of_copies))).all()


def test_someone_with_no_data_is_told_so_and_gets_no_dm(bot: LocalBot) -> None:
    emma = bot.fake.user("U0EMMA")
    assert "stores nothing about you" in emma.slash("/mentoring", "mydata").ephemeral_text
    bot.settle()
    assert emma.dms == []


def test_leaving_says_how_long_history_is_kept_and_it_is_deleted_then(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    _, tom, _ = matched(bot)
    prompt = tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_KEEP, where=prompt.ephemerals[-1])
    bot.settle()
    assert any("We keep your answers and history for 30 days" in t for t in tom.ephemeral_texts)
    # Someone who left can still see it, and still have it deleted.
    tom.slash("/mentoring", "mydata")
    bot.settle()
    assert "left on 23 Nov 2026; we delete all of this on 24 Dec 2026" in tom.dm_texts[-1]
    assert "Delete my data now" in str(tom.slash("/mentoring", "leave").ephemerals[-1])

    tick(bot, clock, days=30, hours=13)  # Wednesday 23 December, 23:00 UTC: not yet
    assert stored(bot, TOM) is not None
    before = len(bot.fake.messages(LEADS_CHANNEL.id))
    assert tick(bot, clock, hours=1)["purged"] == 1  # Thursday 24 December, 00:00 UTC
    assert stored(bot, TOM) is None
    notices = [str(m) for m in bot.fake.messages(LEADS_CHANNEL.id)[before:]]
    assert len(notices) == 1 and "deleted everything it stored about 1 person" in notices[0]
    assert "Tom" not in notices[0]
    assert tick(bot, clock, hours=2)["purged"] == 0
    assert len(bot.fake.messages(LEADS_CHANNEL.id)) == before + 1, "one notice per purge"
    assert occurrences(bot.services.engine, TOM) == []


def test_a_deactivated_account_is_deleted_after_the_retention_days(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    bot.fake.change_user(TOM, deleted=True)
    bot.settle()
    tom = stored(bot, TOM)
    assert tom is not None and tom.status == Status.LEFT and tom.left_at == MONDAY
    tick(bot, clock, days=31)
    assert stored(bot, TOM) is None
    assert occurrences(bot.services.engine, TOM) == []


def test_a_bad_fit_stays_private_unless_the_person_tells_the_lead(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    priya, tom, _ = matched(bot)
    tom.slash("/mentoring", "log today first chat")
    tick(bot, clock, hours=1, minutes=10)
    prompt = next(m for m in priya.dms if ids.A_CHECKIN_OPEN in str(m))
    priya.click(ids.A_CHECKIN_OPEN, where=prompt)
    assert priya.modal is not None and "Tell the program lead" in str(priya.modal)
    assert priya.submit({ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_FIT: "bad"}).closed
    bot.settle()

    offer = next(m for m in priya.dms if ids.A_REMATCH_ME in str(m))
    assert "Nobody else knows what you answered" in str(offer)
    leads = [str(m) for m in bot.fake.messages(LEADS_CHANNEL.id)]
    assert not any("not a good fit" in m or "Priya" in m for m in leads), "the leads hear nothing"
    with session_scope(bot.services.engine) as session:
        answer = session.exec(select(CheckIn)).one()
    assert (answer.fit, answer.told_lead) == ("bad", False)
    # It counts in the totals all the same.
    tom_prompt = next(m for m in tom.dms if ids.A_CHECKIN_OPEN in str(m))
    tom.click(ids.A_CHECKIN_OPEN, where=tom_prompt)
    assert tom.submit(
        {ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_FIT: "bad", ids.B_CHECKIN_TELL_LEAD: ["tell_lead"]}
    ).closed
    bot.settle()
    told = [str(m) for m in bot.fake.messages(LEADS_CHANNEL.id) if "not a good fit" in str(m)]
    assert len(told) == 1 and "Tom Becker" in told[0] and "asked us to tell you" in told[0]
