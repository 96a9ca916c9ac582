"""Time-driven jobs. Each is thin: it asks `bot/` what is due as of `now` and lets it act."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.usecases import cycles, leads, membership, privacy
from bot.usecases.delivery import deliver
from bot.usecases.home import refresh_home
from bot.usecases.services import Services
from bot.usecases.sweep import sweep
from storage.db import StoreUnavailable

log = logging.getLogger(__name__)


def resume_expired_pauses(services: Services, client: WebClient, now: datetime | None = None) -> int:
    """Timed pauses end by themselves: bring those people back; their "welcome back" goes out with the outbox."""
    now = now or services.clock()
    resumed = membership.resume_expired_pauses(services, now=now)
    if resumed:
        log.info("resumed %d participant(s) whose pause ended", len(resumed))
        deliver(services, client, keys=[key for key, _ in resumed], now=now)
    for _, user_id in resumed:
        refresh_home(services, client, user_id)
    return len(resumed)


def momentum_sweep(services: Services, client: WebClient, now: datetime | None = None) -> int:
    """Evaluate pairs that are due and queue nudges, notes and alerts; returns how many steps were queued."""
    report = sweep(services, now=now or services.clock())
    if report.steps or report.ghosts_paused:
        log.info(
            "momentum sweep: %d pairs checked, steps %s, %d paused for silence",
            report.pairs_checked,
            report.steps,
            report.ghosts_paused,
        )
    return sum(report.steps.values())


def purge_expired(services: Services, client: WebClient, now: datetime | None = None) -> int:
    """Delete the data of people who left more than TURNABOUT_RETENTION_DAYS ago; the leads' notice goes out with
    the outbox. Returns how many people's data was deleted."""
    now = now or services.clock()
    purged = privacy.purge_expired(services, now=now)
    if purged.keys:
        deliver(services, client, keys=purged.keys, now=now)
    return purged.people


def send_outbox(services: Services, client: WebClient, now: datetime | None = None) -> int:
    """Send whatever the outbox holds that is due: new messages, and ones that failed or were cut off."""
    report = deliver(services, client, now=now)
    if report.sent or report.failed:
        log.info("outbox: %d sent, %d still failing", report.sent, report.failed)
    return report.sent


def monthly_digest(services: Services, client: WebClient, now: datetime | None = None) -> int:
    """Queue the leads' monthly digest when it is due (once a month); it goes out with the outbox."""
    queued = leads.queue_digest(services, client, now=now or services.clock())
    if queued:
        log.info("queued the leads' monthly digest")
    return len(queued)


def cycle_step(services: Services, client: WebClient, now: datetime | None = None) -> int:
    """Move each open cycle along its life as of `now`: evergreen pairs join the current cycle, pulses and
    close-outs are asked for when due, and a cycle past its end settles (see `bot.usecases.cycles`). Returns how
    many notes settling queued; they go out with the outbox."""
    now = now or services.clock()
    try:
        report = cycles.advance(services, now=now)
    except StoreUnavailable:
        raise
    except Exception:
        # A fault in one cycle's step (a survey that can't be built) must not stop the momentum sweep or the
        # outbox; the step is idempotent and runs again at the next sweep.
        log.exception("the cycles' daily step failed; trying again at the next sweep")
        return 0
    if report.settled or report.joined:
        log.info("cycles: %d pair(s) joined, settled %s", report.joined, report.settled)
    return len(report.keys)


def sweep_all(services: Services, client: WebClient) -> None:
    """The scheduler's one recurring job, in order, as of the same moment. What is due goes out before the sweep
    decides (a ladder step counts as taken once delivered), and what the sweep decides goes out after."""
    now = services.clock()
    try:
        resume_expired_pauses(services, client, now)
        send_outbox(services, client, now)
        momentum_sweep(services, client, now)
        monthly_digest(services, client, now)
        cycle_step(services, client, now)
        send_outbox(services, client, now)
    except StoreUnavailable:
        # Each step commits what it finished; the next sweep picks up the rest. Storage logged the cause.
        log.warning("sweep stopped: the database is unavailable; trying again in the next sweep")


def retention(services: Services, client: WebClient) -> None:
    """The scheduler's retention job. Hourly is often enough: people are due by the day (see
    `bot.domain.privacy.retention_cutoff`), so the leads hear at most once a day."""
    try:
        purge_expired(services, client)
    except StoreUnavailable:
        log.warning("retention purge stopped: the database is unavailable; trying again in the next run")
