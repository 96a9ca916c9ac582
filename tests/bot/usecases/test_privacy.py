"""Deleting someone's data and the retention purge, on SQLite and PostgreSQL, with an explicit clock."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.domain.outbox import MessageKind, keys
from bot.domain.people import Cadence, Role, Seniority, SignupForm
from bot.domain.privacy import FORMER_PARTICIPANT, is_alias, names_id
from bot.usecases import membership
from bot.usecases.checkins import CheckInAnswers, submit_checkin
from bot.usecases.delivery import deliver
from bot.usecases.privacy import Purged, purge_expired
from bot.usecases.rounds import approve
from bot.usecases.services import Services
from bot.usecases.sessions import record_session
from storage.db import session_scope
from storage.models import CheckIn, MentoringSession, OutboxMessage, Pairing, Participant, Prompt
from storage.outbox import Draft, enqueue, recipients
from storage.participants import SlackIdentity, upsert_participant
from tests.bot.usecases.conftest import LEAD, LEADS_CHANNEL, NOW, Clock, World
from tests.bot.usecases.test_outbox import FakeSlack
from tests.scan import occurrences

ANA, TOM, MIA, TOMMY = "U0ANA", "U0TOM", "U0MIA", "U0TOMMY"


def join_naming(services: Services, user_id: str, name: str, **named: object) -> None:
    """Someone whose own answers name others (manager, sponsor, do-not-match)."""
    form = SignupForm(
        role=Role.MENTEE,
        learn=("strategy",),
        seniority=Seniority.DIRECTOR,
        department="Sales",
        cadence=Cadence.MONTHLY,
        consent=True,
        **named,  # type: ignore[arg-type]
    )
    identity = SlackIdentity(user_id=user_id, team_id="T0TEAM", name=name, title="", tz="UTC")
    with session_scope(services.engine) as session:
        upsert_participant(session=session, form=form, identity=identity, now=services.clock())


def paired(services: Services, world: World) -> int:
    """Ana mentors Tom, introduced (the introduction sent); returns their pairing's id."""
    world.join(ANA, "Ana Lima", role=Role.MENTOR, seniority=Seniority.EARLY_CAREER)
    world.join(TOM, "Tom Becker", role=Role.MENTEE, sponsor_id=MIA)
    round_id = world.draft([(ANA, TOM)])
    assert approve(services, round_id=round_id, lead_id=LEAD).approved_now
    deliver(services, FakeSlack().client, now=NOW)
    (pairing_id,) = world.pairing_ids(round_id)
    return pairing_id


def test_deleting_someone_leaves_their_exact_id_nowhere_and_their_partner_a_history(
    services: Services, world: World, clock: Clock
) -> None:
    pairing_id = paired(services, world)
    join_naming(services, MIA, "Mia Rossi", manager_id=TOM, do_not_match=(TOM, TOMMY))
    join_naming(services, TOMMY, "Tommy Hale", sponsor_id=TOM)
    pairing = world.pairing(pairing_id)
    record_session(services, user_id=TOM, pairings=[pairing], held_on=NOW.date(), note="Tom's own words")
    clock.now = NOW + timedelta(days=1)
    deliver(services, FakeSlack().client, now=clock.now)  # the check-ins
    with session_scope(services.engine) as session:
        prompts = {p.user_id: p.id or 0 for p in session.exec(select(Prompt))}
    for user_id, fit in ((ANA, "good"), (TOM, "bad")):
        answers = CheckInAnswers(met="all", value=4, learned="", blockers="", fit=fit, tell_lead=True)
        submit_checkin(services, user_id=user_id, prompt_id=prompts[user_id], answers=answers)
    deliver(services, FakeSlack().client, now=clock.now)
    with session_scope(services.engine) as session:
        # A leads' notice naming Tom in its key (sent), a preview still to go that mentions him, and a message
        # to Tommy, whose id merely starts with Tom's.
        for draft in membership.lead_drafts(services, key=keys.unreachable([TOM]), text=f"<@{TOM}>", about=[TOM]):
            enqueue(session=session, draft=draft, now=clock.now)
    deliver(services, FakeSlack().client, now=clock.now)
    with session_scope(services.engine) as session:
        for draft in (
            Draft(key="preview:9", kind=MessageKind.PREVIEW, users=[LEAD], text=f"<@{TOM}> waits", blocks=[]),
            Draft(key=f"waitlist:9:{TOMMY}", kind=MessageKind.WAITLIST, users=[TOMMY], text="hi Tommy", blocks=[]),
        ):
            enqueue(session=session, draft=draft, now=clock.now + timedelta(days=9))
    before = [o for o in occurrences(services.engine, TOM) if names_id(o, TOM)]
    assert len(before) > 10, "the scan finds him"

    membership.leave(services, user_id=TOM, delete_data=True)

    assert [o for o in occurrences(services.engine, TOM) if names_id(o, TOM)] == []
    assert occurrences(services.engine, "Tom's own words") == []
    with session_scope(services.engine) as session:
        kept = session.get_one(Pairing, pairing_id)
        assert kept.mentor_id == ANA and is_alias(kept.mentee_id) and kept.status == "ended" and kept.reasons == []
        held = session.exec(select(MentoringSession)).one()
        assert held.pairing_id == pairing_id and is_alias(held.logged_by) and held.note == ""
        assert held.logged_by == kept.mentee_id, "one alias per deleted person"
        assert [c.user_id for c in session.exec(select(CheckIn))] == [ANA], "Ana's own answer stays"
        mia = session.exec(select(Participant).where(col(Participant.slack_user_id) == MIA)).one()
        assert (mia.manager_id, mia.do_not_match) == (None, [TOMMY])
        tommy = session.exec(select(Participant).where(col(Participant.slack_user_id) == TOMMY)).one()
        assert tommy.sponsor_id is None
        intro = session.exec(select(OutboxMessage).where(col(OutboxMessage.kind) == MessageKind.INTRO)).one()
        assert recipients(session=session, message_id=intro.id or 0) == [ANA], "Ana's record of it stays"
        preview = session.exec(select(OutboxMessage).where(col(OutboxMessage.key) == "preview:9")).one()
        assert preview.text == f"{FORMER_PARTICIPANT} waits"
        to_tommy = session.exec(select(OutboxMessage).where(col(OutboxMessage.key) == f"waitlist:9:{TOMMY}")).one()
        assert recipients(session=session, message_id=to_tommy.id or 0) == [TOMMY]
        partner_told = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.kind) == MessageKind.PARTNER_LEFT)
        ).one()
        assert "Tom Becker has left" in partner_told.text, "Ana is still told, by name only"


def test_the_purge_deletes_who_left_after_the_retention_days_and_tells_the_leads_once_per_run(
    services: Services, world: World, clock: Clock
) -> None:
    # Monday 2 March, 10:00 UTC: Tom leaves keeping his history; Mia's Slack account is deactivated.
    pairing_id = paired(services, world)
    world.join(MIA, "Mia Rossi", role=Role.MENTEE)
    world.join(TOMMY, "Tommy Hale", role=Role.MENTEE)
    membership.leave(services, user_id=TOM, delete_data=False)
    assert membership.user_changed(services, {"id": MIA, "deleted": True})[0] == "left"
    clock.now = NOW + timedelta(days=1)
    membership.leave(services, user_id=TOMMY, delete_data=False)  # a day later

    # 30 days on, to the minute, isn't enough: whole UTC days are counted.
    assert purge_expired(services, now=NOW + timedelta(days=30)).people == 0
    last_minute = NOW.replace(hour=0, minute=0) + timedelta(days=31) - timedelta(minutes=1)
    assert purge_expired(services, now=last_minute).people == 0
    alerts_before = len(world.outbox(MessageKind.LEAD_ALERT))

    due = last_minute + timedelta(minutes=1)  # Thursday 2 April, 00:00 UTC
    purged = purge_expired(services, now=due)
    assert purged.people == 2
    notices = world.outbox(MessageKind.LEAD_ALERT)[alerts_before:]
    assert [(n.key, n.channel) for n in notices] == [(purged.keys[0], LEADS_CHANNEL)]
    text = notices[0].text
    assert "2 people" in text and "30 days" in text and "can't be undone" in text
    for personal in ("Tom", "Mia", TOM, MIA):
        assert personal not in text, "the notice names no one"
    assert purge_expired(services, now=due + timedelta(hours=1)) == Purged(0, []), "once per run"

    with session_scope(services.engine) as session:
        left = {p.slack_user_id for p in session.exec(select(Participant))}
        kept = session.get_one(Pairing, pairing_id)
    assert left == {ANA, TOMMY}, "Tommy, who left a day later, waits a day more"
    assert kept.mentor_id == ANA and is_alias(kept.mentee_id)
    assert [o for o in occurrences(services.engine, TOM) if names_id(o, TOM)] == []
    assert occurrences(services.engine, MIA) == []

    assert purge_expired(services, now=due + timedelta(days=1)).people == 1
    assert occurrences(services.engine, TOMMY) == []
    assert len(world.outbox(MessageKind.LEAD_ALERT)) == alerts_before + 2


def test_someone_who_rejoins_is_not_purged(services: Services, world: World, clock: Clock) -> None:
    world.join(TOM, "Tom Becker", role=Role.MENTEE)
    membership.leave(services, user_id=TOM, delete_data=False)
    clock.now = NOW + timedelta(days=3)
    world.join(TOM, "Tom Becker", role=Role.MENTEE)
    assert world.person(TOM).left_at is None
    assert purge_expired(services, now=NOW + timedelta(days=400)).people == 0


def test_a_copy_or_goodbye_slack_refuses_keeps_no_text_no_recipient_and_names_no_one(services: Services) -> None:
    slack = FakeSlack()
    for _ in range(2):
        slack.fail_next("chat.postMessage", error="cannot_dm_bot", status=200)
    with session_scope(services.engine) as session:
        for key, kind in (("mydata:T1:1", MessageKind.MY_DATA), ("confirm:V1", MessageKind.CONFIRMATION)):
            draft = Draft(key=key, kind=kind, users=[TOM], text="Everything about Tom Becker", blocks=[])
            enqueue(session=session, draft=draft, now=NOW)

    assert deliver(services, slack.client, now=NOW).failed == 2

    assert occurrences(services.engine, TOM) == [], "no recipient row, and no leads' notice naming him"
    assert occurrences(services.engine, "Tom Becker") == []
    assert [kw for _, kw in slack.calls if kw.get("channel") == LEADS_CHANNEL] == []
