"""Timed pauses end by themselves, once, whoever runs the sweep."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.people import Status
from bot.sandbox.local import LocalBot
from scheduler import build_scheduler, run_due_jobs
from tests.support import join, stored


def test_a_pause_ends_by_itself_and_the_person_is_told_once(bot: LocalBot) -> None:
    leo = bot.fake.user("U0LEO")
    join(leo)
    leo.slash("/mentoring", "pause 2")
    bot.settle()
    participant = stored(bot, "U0LEO")
    assert participant is not None and participant.paused_until is not None
    client = bot.app.client

    before_end = participant.paused_until - timedelta(minutes=1)
    assert run_due_jobs(bot.services, client, now=before_end) == {
        "resumed": 0,
        "steps": 0,
        "digest": 0,
        "cycles": 0,
        "purged": 0,
        "sent": 0,
    }
    assert run_due_jobs(bot.services, client, now=participant.paused_until) == {
        "resumed": 1,
        "steps": 0,
        "digest": 0,  # no pairs, no digest
        "cycles": 0,
        "purged": 0,
        "sent": 0,
    }
    an_hour_later = participant.paused_until + timedelta(hours=1)
    assert run_due_jobs(bot.services, client, now=an_hour_later) == {
        "resumed": 0,
        "steps": 0,
        "digest": 0,
        "cycles": 0,
        "purged": 0,
        "sent": 0,
    }
    bot.settle()
    participant = stored(bot, "U0LEO")
    assert participant is not None and participant.status == Status.ACTIVE
    assert participant.paused_until is None
    assert sum("Your pause has ended" in text for text in leo.dm_texts) == 1
    assert "Active" in str(leo.home)


def test_status_reads_active_once_a_pause_has_lapsed_even_before_the_sweep(bot: LocalBot) -> None:
    leo = bot.fake.user("U0LEO")
    join(leo)
    leo.slash("/mentoring", "pause 1")
    bot.settle()
    participant = stored(bot, "U0LEO")
    assert participant is not None and participant.paused_until is not None
    later = participant.paused_until + timedelta(seconds=1)
    object.__setattr__(bot.services, "clock", lambda: later)
    assert "active" in leo.slash("/mentoring", "status").ephemeral_text


def test_every_job_is_wired_with_an_id(bot: LocalBot) -> None:
    scheduler = build_scheduler(bot.services, bot.app.client)
    assert [job.id for job in scheduler.get_jobs()] == ["sweep", "retention"]
