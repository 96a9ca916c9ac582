"""A cycle's surveys (the midpoint pulse, the close-out) and, once it closes, the recognition mentors opted into.

`bot/usecases/cycles.py` decides when: it calls these on the cycle's midpoint, near its end and after it closes.
Each is idempotent (outbox keys), so a job that runs twice queues nothing twice.
"""

from __future__ import annotations

from bot.usecases.services import Services


def send_pulses(services: Services, *, cycle_id: int) -> list[str]:
    """Queue the midpoint pulse (and the midpoint confidence question) for each person of each active pair in
    the cycle. Returns the keys queued."""
    raise NotImplementedError("surveys: built on the surveys branch")


def send_closeouts(services: Services, *, cycle_id: int) -> list[str]:
    """Queue the close-out survey for each person still taking part in each active pair of the cycle."""
    raise NotImplementedError("surveys: built on the surveys branch")


def send_celebrations(services: Services, *, cycle_id: int) -> list[str]:
    """After the cycle closed: thank each mentor for the completed cycle, and send the shout-outs and manager
    notes mentors opted into."""
    raise NotImplementedError("surveys: built on the surveys branch")
