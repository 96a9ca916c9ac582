"""Momentum messages: fast dict builders stay identical to what slack_sdk's models produce."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.blocks import ids
from bot.blocks.momentum import keep_going_actions, leads_alert, nudge_each, nudge_pair, report, sponsor_note, thanks

STARTED = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MET = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)


def test_fast_nudges_match_the_validated_models() -> None:
    _, blocks = nudge_pair(
        mentor_id="U1", mentee_id="U2", last_session=MET, started=STARTED, cadence="biweekly", anchor=42
    )
    assert blocks[1] == keep_going_actions(42).to_dict()
    assert blocks[0] == SectionBlock(text=MarkdownTextObject(text=blocks[0]["text"]["text"])).to_dict()
    _, each = nudge_each(other_name="Tom", last_session=MET, started=STARTED, anchor=7)
    assert each[1] == keep_going_actions(7).to_dict()
    assert {e["action_id"] for e in each[1]["elements"]} == {ids.A_LOG_SESSION, ids.A_SCHEDULE, ids.A_PAUSE}


def test_nudges_say_dates_not_day_counts_and_know_a_pair_that_never_met() -> None:
    never, _ = nudge_pair(
        mentor_id="U1", mentee_id="U2", last_session=None, started=STARTED, cadence="weekly", anchor=1
    )
    assert "first reverse mentoring session" in never and "since your last" not in never
    met, _ = nudge_pair(mentor_id="U1", mentee_id="U2", last_session=MET, started=STARTED, cadence="weekly", anchor=1)
    assert f"<!date^{int(MET.timestamp())}^" in met, "a date stays true however long the message waits"
    assert " days" not in met
    each, _ = nudge_each(other_name="Tom", last_session=None, started=STARTED, anchor=1)
    assert "haven't had your first" in each
    note = sponsor_note(mentee_name="Tom", mentor_name="Priya", last_session=None, started=STARTED, cadence="weekly")
    assert "haven't had a first session" in note


def test_thanks_after_a_first_session_does_not_say_again() -> None:
    assert "met again" not in thanks(mentor_id="U1", mentee_id="U2", first_session=True)
    assert "first session" in thanks(mentor_id="U1", mentee_id="U2", first_session=True)
    assert "met again" in thanks(mentor_id="U1", mentee_id="U2")


def test_the_leads_alert_names_cancellations_in_a_row() -> None:
    _, blocks = leads_alert(
        pairing_id=1,
        mentor_name="Priya",
        mentee_name="Tom",
        last_session=MET,
        cadence="biweekly",
        sessions=1,
        started=STARTED,
        steps_taken=["a nudge to the pair"],
        cancelled_in_a_row=2,
    )
    assert "2 sessions cancelled in a row" in str(blocks)
    assert "Already tried: a nudge to the pair." in str(blocks)


def test_report_hides_check_in_figures_below_three_answers() -> None:
    counts = {"on_track": 3, "cooling": 1}
    few = repr(report(counts=counts, totals={"answers": 2, "met": 2, "avg_value": 5.0, "bad_fit": 0}, sessions_30d=4))
    assert "average value" not in few and "at least 3 answers" in few
    many = repr(report(counts=counts, totals={"answers": 3, "met": 2, "avg_value": 4.0, "bad_fit": 1}, sessions_30d=4))
    assert "66% met" in many and "average value 4.0/5" in many and "Active pairs:* 4" in many


def test_wording_says_what_actually_happened() -> None:
    from datetime import date, timedelta

    from bot.blocks import replies
    from bot.blocks.momentum import checkin_prompt

    today = date(2027, 3, 3)
    assert "Logged today's session" in replies.session_logged(count=2, first_time=True, held_on=today, today=today)
    earlier = replies.session_logged(count=2, first_time=True, held_on=today - timedelta(days=2), today=today)
    assert "Logged your session on Monday 1 March" in earlier and "today" not in earlier
    again = replies.session_logged(count=2, first_time=False, held_on=today, today=today)
    assert again == "That session is already logged. Thank you!"
    text, _ = checkin_prompt(other_name="Tom", prompt_id=1)
    assert "A few quick questions" in text and "Two" not in text
    snoozed = replies.snoozed(datetime(2027, 3, 17, tzinfo=UTC))
    assert "no more nudges, sponsor notes or alerts" in snoozed and "reminders and check-ins carry on" in snoozed


def test_someone_who_is_both_reads_as_mentor_and_mentee() -> None:
    from bot.blocks.common import ROLE_LABELS
    from bot.domain.people import Role

    assert ROLE_LABELS[Role.BOTH] == "Mentor and mentee"
