"""Slack's `user_change`: deactivated accounts leave the program, moves and new titles are taken on."""

from __future__ import annotations

from sqlmodel import select

from bot.domain.people import Status
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEADS_CHANNEL
from storage.db import session_scope
from storage.models import OutboxMessage, Pairing, PairingStatus
from storage.outbox import recipients
from tests.support import approved_round, join, stored


def pair_of(bot: LocalBot, mentee_id: str) -> Pairing:
    with session_scope(bot.services.engine) as session:
        return session.exec(select(Pairing).where(Pairing.mentee_id == mentee_id)).one()


def test_a_deactivated_account_leaves_the_program_and_the_partner_and_leads_are_told_once(bot: LocalBot) -> None:
    approved_round(bot)
    priya_heard = len(bot.fake.user("U0PRIYA").dm_texts)

    delivery = bot.fake.change_user("U0TOM", deleted=True)
    assert delivery.status == 200
    bot.settle()
    tom = stored(bot, "U0TOM")
    assert tom is not None and tom.status == Status.LEFT
    assert pair_of(bot, "U0TOM").status == PairingStatus.ENDED
    priya = bot.fake.user("U0PRIYA").dm_texts
    assert len(priya) == priya_heard + 1 and "Tom Becker has left the reverse mentoring program" in priya[-1]
    leads = [str(m) for m in bot.fake.messages(LEADS_CHANNEL.id)]
    assert sum("Tom Becker's Slack account was deactivated" in m for m in leads) == 1

    # Slack retrying the event changes nothing and tells nobody twice.
    delivery.retry()
    bot.settle()
    assert len(bot.fake.user("U0PRIYA").dm_texts) == priya_heard + 1
    assert [str(m) for m in bot.fake.messages(LEADS_CHANNEL.id)] == leads
    # Nothing is left waiting for an account that can't receive it.
    with session_scope(bot.services.engine) as session:
        waiting = [
            m
            for m in session.exec(select(OutboxMessage))
            if m.status == "pending" and "U0TOM" in recipients(session=session, message_id=m.id or 0)
        ]
    assert waiting == []


def test_a_move_or_a_new_title_is_taken_on(bot: LocalBot) -> None:
    priya = bot.fake.user("U0PRIYA")
    join(priya)
    before = stored(bot, "U0PRIYA")
    assert before is not None and before.tz == "Asia/Kolkata"

    bot.fake.change_user("U0PRIYA", tz="Europe/London", title="Senior Data Analyst")
    bot.settle()
    after = stored(bot, "U0PRIYA")
    assert after is not None
    assert (after.tz, after.title, after.status) == ("Europe/London", "Senior Data Analyst", Status.ACTIVE)


def test_people_outside_the_program_are_left_alone(bot: LocalBot) -> None:
    calls = len(bot.fake.calls)
    assert bot.fake.change_user("U0OLIVER", title="Chairman").status == 200
    bot.fake.change_user("U0SOFIA", deleted=True)
    bot.settle()
    assert stored(bot, "U0OLIVER") is None and stored(bot, "U0SOFIA") is None
    assert len(bot.fake.calls) == calls, "no Web API calls for people Turnabout doesn't know"
