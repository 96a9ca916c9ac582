"""The APScheduler set-up: one in-process scheduler, every job added here with an explicit id.

Jobs claim their side effects in the database (outbox rows under row locks, unique keys), so several bot
processes may each run a scheduler with its own in-memory job store. Never share an APScheduler 3.x job
store between schedulers (see its FAQ).
"""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.usecases.services import Services
from scheduler import jobs

SWEEP_MINUTES = 2
RETENTION_MINUTES = 60


def build_scheduler(services: Services, client: WebClient) -> BackgroundScheduler:
    """A scheduler with every job registered; the caller starts it once the app is ready."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(
        jobs.sweep_all,
        "interval",
        minutes=SWEEP_MINUTES,
        id="sweep",
        replace_existing=True,
        kwargs={"services": services, "client": client},
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        jobs.retention,
        "interval",
        minutes=RETENTION_MINUTES,
        id="retention",
        replace_existing=True,
        kwargs={"services": services, "client": client},
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def run_due_jobs(services: Services, client: WebClient, *, now: datetime) -> dict[str, int]:
    """Every job once as of `now` (for `python -m bot tick --now`, cron and tests)."""
    resumed = jobs.resume_expired_pauses(services, client, now)
    # As the recurring job does: deliver what is due before the sweep decides, then what it decided.
    sent = jobs.send_outbox(services, client, now)
    steps = jobs.momentum_sweep(services, client, now)
    digest = jobs.monthly_digest(services, client, now)
    settled = jobs.cycle_step(services, client, now)
    purged = jobs.purge_expired(services, client, now)
    sent += jobs.send_outbox(services, client, now)
    return {
        "resumed": resumed,
        "steps": steps,
        "digest": digest,
        "cycles": settled,
        "purged": purged,
        "sent": sent,
    }
