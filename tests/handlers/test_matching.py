"""Matching through Slack: propose, review, approve once, introduce well, and change pairs later."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlmodel import select

from bot.blocks import ids
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import MatchRound, MentoringSession, OutboxMessage, Pairing, PairingStatus, RoundStatus
from tests.support import MATCH_NOW, approved_round, proposed_round, seed, seed_pool

EXPECTED = {("U0PRIYA", "U0TOM"), ("U0AMARA", "U0DIANE"), ("U0LEO", "U0MARGARET"), ("U0LEO", "U0RAJESH")}


def pairs(bot: LocalBot, status: str | None = None) -> set[tuple[str, str]]:
    with session_scope(bot.services.engine) as session:
        rows = list(session.exec(select(Pairing)))
        return {(p.mentor_id, p.mentee_id) for p in rows if status is None or p.status == status}


def preview(bot: LocalBot) -> dict[str, Any]:
    lead = bot.fake.user(LEAD)
    return lead.dms[-1]


def intro_channels(bot: LocalBot) -> list[str]:
    """Group DMs opened for introductions (1:1 DMs for guides and notes are not counted)."""
    calls = bot.fake.calls_to("conversations.open")
    return [c.response["channel"]["id"] for c in calls if c.response.get("ok") and "," in c.args["users"]]


def test_only_leads_can_match_or_manage_pairs(bot: LocalBot) -> None:
    seed_pool(bot)
    for text in ("match", "pairs", "unpair <@U0PRIYA|priya> <@U0TOM|tom>"):
        seen = bot.fake.user("U0TOM").slash("/mentoring", text).ephemeral_text
        assert "Only program leads can do that" in seen
    bot.settle()
    assert pairs(bot) == set()
    assert bot.fake.calls_to("chat.postMessage") == []


def test_the_lead_sees_a_proposal_and_nothing_is_sent_before_approval(bot: LocalBot) -> None:
    seed_pool(bot)
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    assert "nothing goes out until you approve" in lead.ephemeral_texts[-1]
    assert pairs(bot, PairingStatus.PROPOSED) == EXPECTED
    text = str(preview(bot))
    assert "4 pairs (3 mentors), 1 person waiting" in text
    assert "Priya Nair teaches Generative AI and new tools, which Tom Becker wants to learn" in text
    assert "Data ↔ Finance" in text
    assert "Kwame Mensah" in text and "Strategy" in text
    assert "Approve 4 pairs" in text
    # Nobody but the lead has heard anything.
    assert intro_channels(bot) == []
    assert all(c.args.get("channel") == LEAD for c in bot.fake.calls_to("chat.postMessage"))


def test_drop_then_run_again_then_approve_introduces_each_pair_once(bot: LocalBot) -> None:
    lead = proposed_round(bot)
    with session_scope(bot.services.engine) as session:
        tom_pair = session.exec(select(Pairing).where(Pairing.mentee_id == "U0TOM")).one()
    lead.click(ids.A_MATCH_DROP, value=str(tom_pair.id))
    bot.settle()
    assert "dropped" in str(preview(bot)) and "Approve 3 pairs" in str(preview(bot))

    lead.click(ids.A_MATCH_RERUN)
    bot.settle()
    current = preview(bot)
    assert "Approve 3 pairs" in str(current), "the dropped pair is not proposed again"
    assert ("U0PRIYA", "U0TOM") not in {p for p in pairs(bot, PairingStatus.PROPOSED)}

    first = lead.click(ids.A_MATCH_APPROVE, where=current)
    bot.settle()
    assert "Approved by" in str(preview(bot))
    # The preview says "approved" before the introductions go out, then how many messages went.
    updates = [str(c.args.get("text")) + str(c.args.get("blocks")) for c in bot.fake.calls_to("chat.update")]
    assert "Sending the introductions" in updates[-2] and "messages sent" in updates[-1]
    active = pairs(bot, PairingStatus.ACTIVE)
    assert active == EXPECTED - {("U0PRIYA", "U0TOM")}
    channels = intro_channels(bot)
    assert len(channels) == 2, "one group DM per mentor: Amara+Diane, Leo+Margaret+Rajesh"

    # A double click and a Slack retry: approved and introduced once, whatever happens.
    again = bot.fake.send_interaction(first.payload)
    assert again.status == 200
    bot.settle()
    assert len(intro_channels(bot)) == 2
    intros = [m for c in channels for m in bot.fake.messages(c) if "Meet your reverse mentoring match" in str(m)]
    assert len(intros) == 2


def test_an_introduction_has_everything_a_pair_needs(bot: LocalBot) -> None:
    approved_round(bot)
    open_calls = [c for c in bot.fake.calls_to("conversations.open") if "U0TOM" in c.args["users"]]
    assert len(open_calls) == 1 and set(open_calls[0].args["users"].split(",")) == {"U0PRIYA", "U0TOM"}
    channel = open_calls[0].response["channel"]["id"]
    intro = str(bot.fake.messages(channel)[0])
    for expected in (
        "*Mentor:* <@U0PRIYA>, Data Analyst, Data",
        "*Mentee:* <@U0TOM>, VP Finance, Finance",
        "Why you were matched",
        "Three conversation starters",
        "A first session (45 minutes)",
        "Our mentoring agreement",
        "every two weeks",
        ids.A_LOG_SESSION,
        ids.A_SCHEDULE,
        ids.A_NOT_WORKING,
    ):
        assert expected in intro, expected
    starters = intro.split("Three conversation starters")[1].split("A first session")[0]
    assert starters.count("\\n") >= 2 or starters.count("\n") >= 2


def test_mentor_guides_and_waitlist_notes_go_to_the_right_people_once(bot: LocalBot) -> None:
    lead = approved_round(bot)
    for mentor in ("U0PRIYA", "U0AMARA", "U0LEO"):
        guides = [t for t in bot.fake.user(mentor).dm_texts if "guide" in t.lower()]
        assert len(guides) == 1, mentor
    # Mentees get their own guide, once: how to be a good reverse mentee.
    for mentee in ("U0TOM", "U0DIANE", "U0MARGARET", "U0RAJESH"):
        guides = [t for t in bot.fake.user(mentee).dm_texts if "guide" in t.lower()]
        assert len(guides) == 1 and "being a reverse mentee" in guides[0], mentee
    tom_guide = next(m for m in bot.fake.user("U0TOM").dms if "guide" in str(m).lower())
    assert "Come with real work" in str(tom_guide) and "Share perspective back" in str(tom_guide)
    kwame = bot.fake.user("U0KWAME").dm_texts
    assert len(kwame) == 1 and "waitlist" in kwame[0] and "Strategy" in kwame[0]

    # A second round: nobody new to match, nobody gets a second guide.
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    for someone in ("U0PRIYA", "U0AMARA", "U0LEO", "U0TOM", "U0DIANE"):
        assert sum("guide" in t.lower() for t in bot.fake.user(someone).dm_texts) == 1


def test_approval_leaves_out_people_who_left_or_paused_since_the_proposal(bot: LocalBot) -> None:
    lead = proposed_round(bot)
    assert pairs(bot, PairingStatus.PROPOSED) == EXPECTED
    # While the draft waits for review, Tom leaves and Margaret pauses.
    tom, margaret = bot.fake.user("U0TOM"), bot.fake.user("U0MARGARET")
    tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_KEEP)
    margaret.slash("/mentoring", "pause 2")
    bot.settle()
    tom_heard, margaret_heard = len(tom.dm_texts), len(margaret.dm_texts)

    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    assert pairs(bot, PairingStatus.ACTIVE) == {("U0AMARA", "U0DIANE"), ("U0LEO", "U0RAJESH")}
    assert pairs(bot, PairingStatus.DROPPED) == {("U0PRIYA", "U0TOM"), ("U0LEO", "U0MARGARET")}
    told = " ".join(lead.ephemeral_texts)
    assert "Tom Becker left the program since the proposal" in told
    assert "Margaret Chen paused since the proposal" in told
    # Only the two pairs still possible are introduced; Priya, whose match fell through, waits for the next round.
    assert len(intro_channels(bot)) == 2
    assert len(tom.dm_texts) == tom_heard and len(margaret.dm_texts) == margaret_heard
    assert "no longer available" in bot.fake.user("U0PRIYA").dm_texts[-1]
    assert not any("waitlist" in t for t in bot.fake.user("U0LEO").dm_texts), "Leo still mentors Rajesh"
    # Priya is matchable again next round; Tom is not.
    lead.slash("/mentoring", "match")
    bot.settle()
    assert not any("U0TOM" in pair for pair in pairs(bot, PairingStatus.PROPOSED))


def test_approval_never_gives_someone_a_second_match(bot: LocalBot) -> None:
    """Two rounds computed at once (two leads, or a slow solve) must not both match Tom."""
    lead = proposed_round(bot)
    with session_scope(bot.services.engine) as session:
        other = MatchRound(lead_id=LEAD, status=RoundStatus.APPROVED, created_at=MATCH_NOW)
        session.add(other)
        session.flush()
        for mentor, mentee in (("U0SOFIA", "U0TOM"), ("U0EMMA", "U0LEO")):
            session.add(
                Pairing(
                    round_id=other.id or 0,
                    mentor_id=mentor,
                    mentee_id=mentee,
                    status=PairingStatus.ACTIVE,
                    created_at=MATCH_NOW,
                )
            )
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    told = " ".join(lead.ephemeral_texts)
    assert "Tom Becker has been matched in the meantime" in told
    assert "Leo Martins has been matched in the meantime" in told, "someone being mentored doesn't mentor too"
    assert pairs(bot, PairingStatus.ACTIVE) - {("U0SOFIA", "U0TOM"), ("U0EMMA", "U0LEO")} == {("U0AMARA", "U0DIANE")}


def test_slack_failing_half_way_resumes_without_duplicates(bot: LocalBot) -> None:
    lead = proposed_round(bot)
    bot.fake.fail_next("chat.postMessage", error="internal_error", status=500, times=4)
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    with session_scope(bot.services.engine) as session:
        unsent = [m.key for m in list(session.exec(select(OutboxMessage))) if m.status != "sent"]
    assert unsent, "some messages failed and were kept"
    # The scheduler's sweep, a little later: everything left goes out, nothing twice.
    later = bot.services.clock()

    object.__setattr__(bot.services, "clock", lambda: later + timedelta(hours=2))
    run_due_jobs(bot.services, bot.app.client, now=later + timedelta(hours=2))
    bot.settle()
    with session_scope(bot.services.engine) as session:
        rows = list(session.exec(select(OutboxMessage)))
    assert all(m.status == "sent" for m in rows)
    intros = [m for c in set(intro_channels(bot)) for m in bot.fake.messages(c) if "Meet your" in str(m)]
    assert len(intros) == 3
    assert len(bot.fake.user("U0KWAME").dm_texts) == 1


def test_clicking_approve_again_sends_what_slack_refused_the_first_time(bot: LocalBot) -> None:
    lead = proposed_round(bot)
    bot.fake.fail_next("chat.postMessage", error="internal_error", status=500, times=4)
    first = lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    with session_scope(bot.services.engine) as session:
        assert any(m.status != "sent" for m in session.exec(select(OutboxMessage)))
    # The same click again, on the preview as it was, once the failed messages' back-off (a minute) is over.
    later = bot.services.clock() + timedelta(minutes=2)
    object.__setattr__(bot.services, "clock", lambda: later)
    assert bot.fake.send_interaction(first.payload).status == 200
    bot.settle()
    with session_scope(bot.services.engine) as session:
        assert all(m.status == "sent" for m in session.exec(select(OutboxMessage)))
    intros = [m for c in set(intro_channels(bot)) for m in bot.fake.messages(c) if "Meet your" in str(m)]
    assert len(intros) == 3


def test_logging_a_session_counts_once_and_only_for_the_pair(bot: LocalBot) -> None:
    approved_round(bot)
    # Tomorrow 19:00 UTC: 20:00 for Tom in Berlin, already the day after for Priya in Kolkata.
    evening = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(19), tzinfo=UTC)
    object.__setattr__(bot.services, "clock", lambda: evening)
    priya, tom = bot.fake.user("U0PRIYA"), bot.fake.user("U0TOM")
    channel = next(c for c in intro_channels(bot) if "U0TOM" in str(bot.fake.messages(c)))
    intro = bot.fake.messages(channel)[0]
    first = priya.click(ids.A_LOG_SESSION, where=intro)
    second = tom.click(ids.A_LOG_SESSION, where=intro)
    bot.settle()
    assert "number 1" in first.ephemeral_text
    assert "already logged" in second.ephemeral_text
    with session_scope(bot.services.engine) as session:
        toms = session.exec(select(Pairing).where(Pairing.mentee_id == "U0TOM")).one()
    # Someone outside the pair can't log for it.
    outsider = bot.fake.send_interaction({**first.payload, "user": {**first.payload["user"], "id": "U0EMMA"}})
    assert outsider.status == 200
    bot.settle()
    with session_scope(bot.services.engine) as session:
        logged = list(session.exec(select(MentoringSession)))
    assert [(s.logged_by, s.pairing_id) for s in logged] == [("U0PRIYA", toms.id)]


def test_not_working_tells_only_the_leads_who_can_end_the_pair(bot: LocalBot) -> None:
    lead = approved_round(bot)
    channel = next(c for c in intro_channels(bot) if "U0DIANE" in str(bot.fake.messages(c)))
    before = len(bot.fake.messages(channel))
    diane = bot.fake.user("U0DIANE")
    clicked = diane.click(ids.A_NOT_WORKING, where=bot.fake.messages(channel)[0])
    bot.settle()
    assert "Only the program leads have been told" in clicked.ephemeral_text
    assert len(bot.fake.messages(channel)) == before, "nothing said in the pair's conversation"
    alerts = bot.fake.messages("C0LEADS")
    assert len(alerts) == 1 and "isn't working" in str(alerts[0])
    lead.click(ids.A_PAIR_END, where=alerts[0])
    bot.settle()
    assert ("U0AMARA", "U0DIANE") in pairs(bot, PairingStatus.ENDED)
    assert any("has ended" in t for t in diane.dm_texts)
    assert any("has ended" in t for t in bot.fake.user("U0AMARA").dm_texts)


def test_unpair_ends_kindly_and_the_pair_is_never_proposed_again(bot: LocalBot) -> None:
    lead = approved_round(bot)
    assert "Name the two people" in lead.slash("/mentoring", "unpair <@U0TOM|tom>").ephemeral_text
    lead.slash("/mentoring", "unpair <@U0TOM|tom> <@U0PRIYA|priya>")
    bot.settle()
    assert ("U0PRIYA", "U0TOM") in pairs(bot, PairingStatus.ENDED)
    assert any("has ended" in t for t in bot.fake.user("U0TOM").dm_texts)
    again = lead.slash("/mentoring", "unpair <@U0TOM|tom> <@U0PRIYA|priya>")
    bot.settle()
    assert "aren't an active pair" in str(lead.ephemerals) or "aren't an active pair" in again.ephemeral_text
    lead.slash("/mentoring", "match")
    bot.settle()
    assert ("U0PRIYA", "U0TOM") not in pairs(bot, PairingStatus.PROPOSED)
    listing = lead.slash("/mentoring", "pairs").ephemeral_text
    assert "Active pairs (3)" in listing


def test_leaving_ends_the_pair_and_tells_the_partner_and_the_leads(bot: LocalBot) -> None:
    approved_round(bot)
    rajesh = bot.fake.user("U0RAJESH")
    rajesh.slash("/mentoring", "leave")
    rajesh.click(ids.A_LEAVE_KEEP)
    bot.settle()
    assert ("U0LEO", "U0RAJESH") in pairs(bot, PairingStatus.ENDED)
    assert ("U0LEO", "U0MARGARET") in pairs(bot, PairingStatus.ACTIVE), "the rest of Leo's group carries on"
    assert any("Rajesh Iyer has left" in t for t in bot.fake.user("U0LEO").dm_texts)
    assert any("Rajesh Iyer left the program" in str(m) for m in bot.fake.messages("C0LEADS"))


def test_deleting_my_data_removes_every_trace_of_me(bot: LocalBot) -> None:
    approved_round(bot)
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_DELETE)
    bot.settle()
    assert any("Tom Becker has left" in t for t in bot.fake.user("U0PRIYA").dm_texts)
    with bot.services.engine.connect() as connection:
        for table in (
            "participant",
            "pairing",
            "outbox",
            "outbox_recipient",
            "round_unmatched",
            "mentoring_session",
            "prompt",
            "pause_interval",
        ):
            rows = connection.exec_driver_sql(f"SELECT * FROM {table}").fetchall()
            leftovers = [row for row in rows if "U0TOM" in repr(row) or "Tom Becker" in repr(row)]
            assert leftovers == [], f"{table} still mentions Tom: {leftovers}"


def test_the_pair_meets_at_the_slower_wish_and_either_partner_can_change_it(bot: LocalBot) -> None:
    seed(bot, "U0PRIYA", role="mentor", teach=["genai"], seniority="early_career", department="Data", cadence="weekly")
    seed(bot, "U0TOM", learn=["genai"], seniority="executive", department="Finance", cadence="monthly")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    channel = next(c for c in intro_channels(bot) if "U0TOM" in str(bot.fake.messages(c)))
    intro = bot.fake.messages(channel)[0]
    assert "How often we meet: monthly" in str(intro), "the slower of the two wishes, not the mentor's"
    tom = bot.fake.user("U0TOM")
    tom.click(ids.A_CADENCE, where=intro)
    assert tom.modal is not None
    assert tom.submit({ids.B_CADENCE_CHOICE: "biweekly"}).closed
    bot.settle()
    with session_scope(bot.services.engine) as session:
        (pairing,) = session.exec(select(Pairing).where(Pairing.mentee_id == "U0TOM")).all()
    assert pairing.cadence == "biweekly"
    told = [m for m in bot.fake.messages(channel) if "changed how often you meet" in str(m)]
    assert len(told) == 1 and "now every two weeks" in str(told[0])
    # Choosing the same again changes nothing and tells nobody.
    tom.click(ids.A_CADENCE, where=intro)
    assert tom.submit({ids.B_CADENCE_CHOICE: "biweekly"}).closed
    bot.settle()
    assert len([m for m in bot.fake.messages(channel) if "changed how often" in str(m)]) == 1
    # Someone outside the pair can't change it.
    emma = bot.fake.user("U0EMMA")
    forged = tom.click(ids.A_CADENCE, where=intro).payload
    tom.close()
    answer = bot.fake.send_interaction({**forged, "user": {**forged["user"], "id": emma.id}})
    bot.settle()
    assert answer.status == 200


def test_perspective_the_senior_shares_back_is_named_in_the_introduction(bot: LocalBot) -> None:
    # Priya mentors and wants strategy back; Tom wants AI and can share strategy (each chose "both" to list it).
    seed(bot, "U0PRIYA", role="both", teach=["genai"], learn=["strategy"], seniority="early_career", department="Data")
    seed(bot, "U0TOM", role="both", teach=["strategy"], learn=["genai"], seniority="executive", department="Finance")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    assert pairs(bot) == {("U0PRIYA", "U0TOM")}
    channel = next(c for c in intro_channels(bot) if "U0TOM" in str(bot.fake.messages(c)))
    intro = str(bot.fake.messages(channel)[0])
    assert (
        "Priya Nair teaches Generative AI and new tools, which Tom Becker wants to learn, and Tom Becker can "
        "share Strategy and the bigger picture in return"
    ) in intro


def test_a_junior_who_only_wants_perspective_is_told_what_would_match_them(bot: LocalBot) -> None:
    seed_pool(bot)
    seed(bot, "U0AMARA", role="mentee", learn=["leadership"], seniority="early_career", department="Marketing")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    amara = bot.fake.user("U0AMARA").dm_texts
    assert len(amara) == 1 and "waitlist" in amara[0]
    assert "perspective like Leadership comes back from the senior you mentor" in amara[0]
    assert '"Both"' in amara[0] and "/mentoring edit" in amara[0]
