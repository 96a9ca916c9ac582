"""Momentum end to end: time moves with a clock, sweeps run as `tick --now` does, Slack sees the result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.blocks import ids
from bot.domain.people import Status
from bot.sandbox.clock import SimClock
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import CheckIn, OutboxMessage, Pairing
from tests.support import MONDAY, seed, stored


def matched(bot: LocalBot) -> None:
    """Priya mentors Tom (sponsor: Oliver), every two weeks; approved on Monday 23 November."""
    seed(bot, "U0PRIYA", role="mentor", teach=["genai"], seniority="early_career", department="Data")
    seed(bot, "U0TOM", learn=["genai"], seniority="executive", department="Finance", sponsor="U0OLIVER")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()


def tick(bot: LocalBot, clock: SimClock, **delta: float) -> dict[str, int]:
    now = clock.advance(timedelta(**delta)) if delta else clock()
    result = run_due_jobs(bot.services, bot.app.client, now=now)
    bot.settle()
    return result


def pair_channel(bot: LocalBot) -> str:
    calls = bot.fake.calls_to("conversations.open")
    return next(
        c.response["channel"]["id"] for c in calls if c.args["users"].count(",") == 1 and "U0TOM" in c.args["users"]
    )


def texts(bot: LocalBot, user_id: str) -> list[str]:
    return bot.fake.user(user_id).dm_texts


def pairing(bot: LocalBot) -> Pairing:
    with session_scope(bot.services.engine) as session:
        return session.exec(select(Pairing)).one()


def at(bot: LocalBot, clock: SimClock, moment: datetime) -> dict[str, int]:
    clock.set(moment)
    return tick(bot, clock)


def utc(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_a_quiet_pair_climbs_the_ladder_once_per_step_and_is_thanked_when_it_meets(
    timed: tuple[LocalBot, SimClock],
) -> None:
    bot, clock = timed
    matched(bot)  # Monday 23 November, 10:00 UTC. Priya is in Kolkata (UTC+5:30), Tom in Berlin (UTC+1).
    assert tick(bot, clock)["steps"] == 0, "a new pair is on track"
    assert pairing(bot).momentum == "on_track"

    # Two weeks (their cadence) without a session: cooling, and a friendly nudge to the pair.
    at(bot, clock, utc(7, 12, 11))
    assert pairing(bot).momentum == "cooling"
    tom = bot.fake.user("U0TOM")
    tom.open_home()
    # They never met: Home and the leads' report say "not started", never "on track" (nor merely "cooling").
    assert "*Priya Nair* (your mentor)" in str(tom.home) and "not started yet" in str(tom.home)
    lead_home = bot.fake.user(LEAD)
    lead_home.open_home()
    assert "Your program" in str(lead_home.home) and "not started 1" in str(lead_home.home)
    # They never met: the nudge says so, with a date rather than a day count that would go stale.
    nudges = [m for m in bot.fake.messages(pair_channel(bot)) if "your first reverse mentoring session" in str(m)]
    assert len(nudges) == 1
    assert "since your last" not in str(nudges[0])
    for action in (ids.A_LOG_SESSION, ids.A_SCHEDULE, ids.A_PAUSE):
        assert action in str(nudges[0])
    assert tick(bot, clock, hours=1)["steps"] == 0, "each step at most once"

    # Three days on, a private nudge to each, in each one's working hours: 12:00 UTC is 13:00 in Berlin,
    # but 17:30 in Kolkata, so Priya's waits for her next morning.
    at(bot, clock, utc(10, 12, 12))
    assert any("haven't had your first" in t for t in texts(bot, "U0TOM"))
    assert not any("haven't had your first" in t for t in texts(bot, "U0PRIYA"))
    at(bot, clock, utc(11, 12, 4))  # 09:30 in Kolkata
    assert any("haven't had your first" in t for t in texts(bot, "U0PRIYA"))

    # Four weeks: lapsed. The sponsor hears (status only, never survey content), in their own working day:
    # 10:00 UTC is 11:00 for Tom in Berlin but 04:00 for Oliver in Chicago, who isn't in the program.
    at(bot, clock, utc(22, 12, 10))
    assert pairing(bot).momentum == "lapsed"
    assert texts(bot, "U0OLIVER") == []
    at(bot, clock, utc(22, 12, 15))  # 09:00 in Chicago
    sponsor = texts(bot, "U0OLIVER")
    assert len(sponsor) == 1 and "stalled" in sponsor[0] and "Tom Becker" in sponsor[0]

    # Then the leads' channel, with buttons that act.
    at(bot, clock, utc(28, 12, 9))
    alerts = bot.fake.messages("C0LEADS")
    assert len(alerts) == 1 and "A pair has stalled" in str(alerts[0])
    for action in (ids.A_LEAD_NUDGE, ids.A_LEAD_REMATCH, ids.A_PAIR_END, ids.A_LEAD_SNOOZE):
        assert action in str(alerts[0])
    lead = bot.fake.user(LEAD)
    lead.click(ids.A_LEAD_NUDGE, where=alerts[0])
    lead.click(ids.A_LEAD_NUDGE, where=alerts[0])  # twice: one nudge
    bot.settle()
    lead_nudges = [m for m in bot.fake.messages(pair_channel(bot)) if "your first reverse mentoring" in str(m)]
    assert len(lead_nudges) == 2, "the ladder's nudge and the lead's one"
    assert tick(bot, clock, hours=1)["steps"] == 0, "the ladder is done for this episode"

    # They meet: the episode ends, and the next sweep thanks them, once.
    bot.fake.user("U0TOM").click(ids.A_LOG_SESSION, where=lead_nudges[-1])
    tick(bot, clock, minutes=30)
    thanks = [m for m in bot.fake.messages(pair_channel(bot)) if "lovely to see you've had your first" in str(m)]
    assert len(thanks) == 1, "their first session: not 'met again'"
    assert pairing(bot).momentum == "on_track"
    tick(bot, clock, hours=1)
    assert len([m for m in bot.fake.messages(pair_channel(bot)) if "lovely to see" in str(m)]) == 1


def test_a_snoozed_pair_is_left_alone_for_two_weeks(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    # A tick every few days, as the scheduler's sweep would (every two minutes): each step counts from delivery.
    for moment in (utc(7, 12, 11), utc(10, 12, 12), utc(11, 12, 4), utc(22, 12, 10), utc(22, 12, 15), utc(28, 12, 9)):
        at(bot, clock, moment)
    alert = bot.fake.messages("C0LEADS")[0]
    answer = bot.fake.user(LEAD).click(ids.A_LEAD_SNOOZE, where=alert)
    bot.settle()
    assert "Snoozed" in answer.ephemeral_text
    assert pairing(bot).snoozed_until == utc(28, 12, 9) + timedelta(weeks=2)
    # Someone who is not a lead can't press the leads' buttons (a forwarded or crafted click).
    forged = {**answer.payload, "user": {**answer.payload["user"], "id": "U0TOM"}}
    before = pairing(bot).snoozed_until
    assert bot.fake.send_interaction(forged).status == 200
    bot.settle()
    assert pairing(bot).snoozed_until == before


def test_check_ins_are_private_and_a_bad_fit_offers_a_rematch(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    priya, tom = bot.fake.user("U0PRIYA"), bot.fake.user("U0TOM")
    assert "number 1" in tom.slash("/mentoring", "log today great first chat").ephemeral_text
    tick(bot, clock, hours=1, minutes=10)  # 11:10 UTC: 12:10 in Berlin, 16:40 in Kolkata
    prompt = next(m for m in priya.dms if ids.A_CHECKIN_OPEN in str(m))
    assert any(ids.A_CHECKIN_OPEN in str(m) for m in tom.dms)

    priya.click(ids.A_CHECKIN_OPEN, where=prompt)
    assert priya.modal is not None and "good fit" in str(priya.modal), "the first check-in asks about fit"
    result = priya.submit(
        {
            ids.B_CHECKIN_MET: "all",
            ids.B_CHECKIN_VALUE: "2",
            ids.B_CHECKIN_FIT: "bad",
            ids.B_CHECKIN_TELL_LEAD: ["tell_lead"],
        }
    )
    assert result.closed
    bot.settle()
    offer = next(m for m in priya.dms if ids.A_REMATCH_ME in str(m))
    assert any("not a good fit" in str(m) for m in bot.fake.messages("C0LEADS"))
    assert not any("not a good fit" in t for t in tom.dm_texts), "Tom is not told what Priya answered"

    # Check-in answers stay private: the report shows no figures under three answers.
    report = bot.fake.user(LEAD).slash("/mentoring", "report").ephemeral_text
    assert "shown once there are at least 3 answers" in report
    assert "Active pairs:* 1" in report or "Active pairs: 1" in report

    priya.click(ids.A_REMATCH_ME, where=offer)
    bot.settle()
    assert pairing(bot).status == "ended"
    assert any("has ended" in t for t in tom.dm_texts)
    with session_scope(bot.services.engine) as session:
        answers = list(session.exec(select(CheckIn)))
    assert [(a.user_id, a.met, a.value, a.fit) for a in answers] == [("U0PRIYA", "all", 2, "bad")]
    # Submitting the same check-in again stores nothing more.
    assert "already answered" in priya.click(ids.A_CHECKIN_OPEN, where=prompt).ephemeral_text


def test_reminders_come_the_workday_before_and_name_the_day_and_time(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)  # Monday 23 November
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "schedule 2026-11-30 10:00")  # a Monday: reminder on Friday
    tom.slash("/mentoring", "schedule 2026-12-01 10:00")  # moved to Tuesday: reminder on Monday
    bot.settle()
    channel = pair_channel(bot)

    def reminders() -> list[str]:
        return [str(m) for m in bot.fake.messages(channel) if "Coming up" in str(m)]

    tick(bot, clock, days=4)  # Friday 27th, 10:00 UTC
    assert reminders() == [], "the old date's reminder was cancelled"
    tick(bot, clock, days=3)  # Monday 30th, 10:00 UTC: 11:00 in Berlin, 15:30 in Kolkata
    (reminder,) = reminders()
    assert "Tom Becker: Tuesday 1 December at 10:00 Berlin time" in reminder
    assert "Priya Nair: Tuesday 1 December at 14:30 Kolkata time" in reminder
    assert "Tomorrow" not in reminder
    assert "conversation starter" in reminder
    assert ids.A_BOOKING_MOVE in reminder and ids.A_BOOKING_CANCEL in reminder
    # And shortly before, in working hours: 08:00 UTC is 09:00 in Berlin.
    at(bot, clock, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert len([m for m in bot.fake.messages(channel) if "starts" in str(m) and "alarm_clock" in str(m)]) == 1


def test_messages_wait_for_the_recipients_working_hours(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    # Saturday 12 December, 23:00 UTC: nobody's working day. The pair turned cooling on the 7th.
    clock.set(datetime(2026, 12, 12, 23, 0, tzinfo=UTC))
    tick(bot, clock)
    with session_scope(bot.services.engine) as session:
        nudge = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "nudge")).one()
    assert nudge.status == "pending"
    assert nudge.not_before == datetime(2026, 12, 14, 8, 0, tzinfo=UTC), "Monday 09:00 in Berlin, 13:30 in Kolkata"
    clock.set(datetime(2026, 12, 14, 7, 55, tzinfo=UTC))
    tick(bot, clock)
    with session_scope(bot.services.engine) as session:
        assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "nudge")).one().status == "pending"
    clock.set(datetime(2026, 12, 14, 8, 5, tzinfo=UTC))
    tick(bot, clock)
    with session_scope(bot.services.engine) as session:
        assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "nudge")).one().status == "sent"


def test_paused_people_get_nothing_and_three_silences_pause_a_ghost(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "pause 8")
    bot.settle()
    before = len(tom.dms)
    at(bot, clock, utc(28, 12, 9))
    assert len(tom.dms) == before, "no nudges while paused"
    assert pairing(bot).momentum == "on_track", "a pause stops the pair's clock"
    tom.slash("/mentoring", "resume")
    bot.settle()

    # Priya stops answering: the pair's nudge, her own, and the lead's "nudge again". Tom answers his (he books a
    # session, which falls through). After four days' grace on the third, Priya is paused and told how to come
    # back; Tom is not, and Tom is told, kindly, that Priya is taking a break.
    at(bot, clock, datetime(2027, 1, 11, 10, tzinfo=UTC))  # not started, cooling: the pause did not count
    assert any("your first reverse mentoring" in str(m) for m in bot.fake.messages(pair_channel(bot)))
    tom.slash("/mentoring", "schedule 2027-02-01 10:00")
    bot.settle()
    booked = next(m for m in bot.fake.messages(pair_channel(bot)) if "booked for" in str(m))
    tom.click(ids.A_BOOKING_CANCEL, where=booked)
    bot.settle()
    at(bot, clock, datetime(2027, 1, 14, 10, tzinfo=UTC))  # a nudge each
    tom_nudge = next(m for m in tom.dms if "haven't had your first" in str(m))
    tom.click(ids.A_SCHEDULE, where=tom_nudge)  # opening the form is not an answer; closing it isn't either
    tom.close()
    for half_day in range(2, 34):  # lapsed: the sponsor, then the leads (the sweep runs all along)
        at(bot, clock, datetime(2027, 1, 14, 10, tzinfo=UTC) + timedelta(hours=12 * half_day))
        if any(ids.A_LEAD_NUDGE in str(m) for m in bot.fake.messages("C0LEADS")):
            break
    alert = next(m for m in bot.fake.messages("C0LEADS") if ids.A_LEAD_NUDGE in str(m))
    bot.fake.user(LEAD).click(ids.A_LEAD_NUDGE, where=alert)
    bot.settle()
    tom.slash("/mentoring", "schedule 2027-02-08 10:00")  # Tom answers again
    bot.settle()
    booked = next(m for m in reversed(bot.fake.messages(pair_channel(bot))) if "booked for" in str(m))
    tom.click(ids.A_BOOKING_CANCEL, where=booked)
    at(bot, clock, datetime(2027, 2, 2, 9, tzinfo=UTC))
    priya = stored(bot, "U0PRIYA")
    assert priya is not None and priya.status == Status.ACTIVE, "still within the grace period"
    at(bot, clock, datetime(2027, 2, 4, 9, tzinfo=UTC))
    priya = stored(bot, "U0PRIYA")
    assert priya is not None and priya.status == Status.PAUSED and priya.paused_until is None
    tom_now = stored(bot, "U0TOM")
    assert tom_now is not None and tom_now.status == Status.ACTIVE
    at(bot, clock, datetime(2027, 2, 4, 10, tzinfo=UTC))
    assert any("Priya Nair is taking a break" in t for t in texts(bot, "U0TOM")), "the partner is told, kindly"
    back = next(m for m in bot.fake.user("U0PRIYA").dms if "haven't heard from you" in str(m))
    bot.fake.user("U0PRIYA").click(ids.A_RESUME, where=back)
    bot.settle()
    priya = stored(bot, "U0PRIYA")
    assert priya is not None and priya.status == Status.ACTIVE
    at(bot, clock, datetime(2027, 2, 5, 9, tzinfo=UTC))
    priya = stored(bot, "U0PRIYA")
    assert priya is not None and priya.status == Status.ACTIVE, "coming back answers the old prompts"


def test_nobody_is_paused_for_silence_while_their_partner_logs_their_sessions(
    timed: tuple[LocalBot, SimClock],
) -> None:
    """The pair the old rule called "recovering" and then paused both of: Priya never clicks, Tom logs."""
    bot, clock = timed
    matched(bot)
    tom = bot.fake.user("U0TOM")
    for week in range(0, 8, 2):
        at(bot, clock, MONDAY + timedelta(weeks=week, days=1))
        tom.slash("/mentoring", "log today")  # they met; Priya ignores her check-ins
        bot.settle()
    at(bot, clock, MONDAY + timedelta(weeks=9))
    priya = stored(bot, "U0PRIYA")
    assert priya is not None and priya.status == Status.ACTIVE, "a partner's log answers for both who were there"


def test_log_command_answers_clearly(timed: tuple[LocalBot, SimClock]) -> None:
    bot, _ = timed
    assert "don't have an active match" in bot.fake.user("U0EMMA").slash("/mentoring", "log").ephemeral_text
    matched(bot)
    tom = bot.fake.user("U0TOM")
    assert "in the future" in tom.slash("/mentoring", "log 2026-12-25").ephemeral_text
    assert "number 1" in tom.slash("/mentoring", "log yesterday walked through ChatGPT").ephemeral_text
    assert "already logged" in bot.fake.user("U0PRIYA").slash("/mentoring", "log yesterday").ephemeral_text


def test_a_partner_is_told_kindly_when_the_other_pauses_and_comes_back(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)  # Monday 10:00 UTC: 15:30 for Priya in Kolkata
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "pause 3")
    tick(bot, clock)
    notes = [t for t in texts(bot, "U0PRIYA") if "taking a break" in t]
    assert len(notes) == 1 and "Tom Becker" in notes[0]
    assert "why" not in notes[0].lower() and "reason" not in notes[0].lower()
    tom.slash("/mentoring", "resume")
    tick(bot, clock, minutes=5)
    assert sum("is back from their break" in t for t in texts(bot, "U0PRIYA")) == 1
    assert not any("taking a break" in t for t in texts(bot, "U0TOM")), "only the partner is told"
