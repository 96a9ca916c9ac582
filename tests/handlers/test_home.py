"""The App Home tab: status and buttons that work."""

from __future__ import annotations

from bot.blocks import ids
from bot.domain.people import Status
from bot.sandbox.local import LocalBot
from tests.support import MENTOR_ANSWERS, stored


def test_home_for_someone_new_offers_join_and_the_button_signs_them_up(bot: LocalBot) -> None:
    amara = bot.fake.user("U0AMARA")
    assert amara.open_home().status == 200
    assert amara.home is not None and "haven't joined" in str(amara.home)
    amara.click(ids.A_JOIN, where="home")
    assert amara.modal is not None and amara.modal["callback_id"] == ids.SIGNUP_VIEW
    assert amara.submit({**MENTOR_ANSWERS, "teach": ["social_media", "genz_perspective"]}).closed
    bot.settle()
    assert "Active" in str(amara.home)
    assert "Social media and personal brand" in str(amara.home)


def test_pause_resume_and_leave_from_home(bot: LocalBot) -> None:
    diane = bot.fake.user("U0DIANE")
    diane.open_home()
    diane.click(ids.A_JOIN, where="home")
    diane.submit({**MENTOR_ANSWERS, "role": "mentee", "teach": [], "learn": ["social_media"], "seniority": "executive"})
    bot.settle()

    diane.click(ids.A_PAUSE, where="home")
    assert diane.modal is not None and diane.modal["callback_id"] == ids.PAUSE_VIEW
    assert diane.submit({ids.B_PAUSE_WEEKS: "4"}).closed
    bot.settle()
    participant = stored(bot, "U0DIANE")
    assert participant is not None and participant.status == Status.PAUSED
    assert "Paused until" in str(diane.home)
    assert "paused until" in diane.dm_texts[-1]

    diane.click(ids.A_EDIT, where="home")
    assert diane.modal is not None and "Save changes" in str(diane.modal)
    diane.close()

    diane.click(ids.A_RESUME, where="home")
    bot.settle()
    participant = stored(bot, "U0DIANE")
    assert participant is not None and participant.status == Status.ACTIVE
    assert "Active" in str(diane.home)

    diane.click(ids.A_LEAVE, where="home")
    assert diane.modal is not None and diane.modal["callback_id"] == ids.LEAVE_VIEW
    assert diane.submit({ids.B_LEAVE_DELETE: ["delete"]}).closed
    bot.settle()
    assert stored(bot, "U0DIANE") is None
    assert "deleted your profile" in diane.dm_texts[-1]
    assert "haven't joined" in str(diane.home)


def test_retried_home_event_is_answered_and_only_the_home_tab_is_drawn(bot: LocalBot) -> None:
    tom = bot.fake.user("U0TOM")
    first = tom.open_home()
    retry = tom.open_home(retry_num=1)
    assert (first.status, retry.status) == (200, 200)
    bot.settle()
    assert tom.home is not None
    before = len(bot.fake.calls_to("views.publish"))
    tom.open_home(tab="messages")
    bot.settle()
    assert len(bot.fake.calls_to("views.publish")) == before
