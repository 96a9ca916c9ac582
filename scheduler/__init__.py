"""All time-driven jobs, wired in one place."""

from scheduler.wiring import build_scheduler, run_due_jobs

__all__ = ["build_scheduler", "run_due_jobs"]
