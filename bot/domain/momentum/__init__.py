"""Momentum rules: is a pair still meeting, what to do when it goes quiet, and when a DM may be sent.

Pure functions over frozen dataclasses: no Slack, no database, no clock reads. Everything that depends on
time takes `now` (an aware datetime) as an argument, so the scheduler, the CLI and the tests can ask
"what is due as of this moment?". All returned instants are in UTC.

Rules decided here where the product issue left a choice open:

- A cadence period is a fixed number of days of *elapsed* time: weekly 7, biweekly 14, monthly 30. A
  calendar month would make "cooling" arrive after 28 to 31 days depending on the month, and would not
  compose with paused intervals, which are subtracted as durations.
- The clock runs from the later of the pair's start and its last session, minus every paused interval
  (either person's pause; overlapping pauses count once). One period of running clock makes the pair
  `cooling`, two make it `lapsed`. A pause freezes the state; it does not reset the clock.
- Sessions logged for the same pair on the same calendar date in the pair's reference time zone are one
  session (see `dedupe_sessions`).
- Escalation episodes are keyed by the instant their quiet stretch began (`Momentum.episode_key`).
- A person is a ghost after three consecutive prompts left unanswered for longer than a grace period.
- DMs go out Monday to Friday, 09:00 to 17:00 in the recipient's zone; reminders at the start of the
  window on the working day before the session; check-ins in the first window an hour after it.
"""

from bot.domain.momentum.escalation import (
    DEFAULT_ESCALATION_RULES,
    Episode,
    EscalationDecision,
    EscalationRules,
    EscalationStep,
    next_escalation,
)
from bot.domain.momentum.ghosts import DEFAULT_ANSWER_GRACE, GHOST_THRESHOLD, Prompt, is_ghost
from bot.domain.momentum.state import (
    BOOKING_HOLD,
    CADENCE_DAYS,
    FIRST_SESSION_WAIT,
    Momentum,
    MomentumState,
    PairFacts,
    Standing,
    cadence_period,
    compute_momentum,
    dedupe_sessions,
    standing,
)
from bot.domain.momentum.timing import (
    CHECKIN_DELAY,
    DEFAULT_SEND_WINDOW,
    SendWindow,
    checkin_due_at,
    common_window,
    is_within_window,
    next_send_window,
    reminder_due_at,
)
from bot.domain.people import Cadence

__all__ = [
    "BOOKING_HOLD",
    "CADENCE_DAYS",
    "CHECKIN_DELAY",
    "DEFAULT_ANSWER_GRACE",
    "DEFAULT_ESCALATION_RULES",
    "DEFAULT_SEND_WINDOW",
    "FIRST_SESSION_WAIT",
    "GHOST_THRESHOLD",
    "Cadence",
    "Episode",
    "EscalationDecision",
    "EscalationRules",
    "EscalationStep",
    "Momentum",
    "MomentumState",
    "PairFacts",
    "Prompt",
    "SendWindow",
    "Standing",
    "cadence_period",
    "checkin_due_at",
    "common_window",
    "compute_momentum",
    "dedupe_sessions",
    "is_ghost",
    "is_within_window",
    "next_escalation",
    "next_send_window",
    "reminder_due_at",
    "standing",
]
