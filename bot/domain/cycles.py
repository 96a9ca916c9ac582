"""Program cycles (cohorts): a named stretch of time with a start and an end, and what pairs answer inside one.

The rules of a cycle's life (when it is current, its midpoint, its close-out, who rolls over) live here, free of
Slack and of the database, so they can be tested with an explicit clock.
"""

from __future__ import annotations

import enum

__all__ = ["ConfidenceStage", "CycleStatus", "PairOutcome", "SurveyKind"]


class CycleStatus(enum.StrEnum):
    OPEN = "open"  # planned or running: its dates say which
    CLOSED = "closed"  # its close-out is done: pairs rolled over or closed


class SurveyKind(enum.StrEnum):
    PULSE = "pulse"  # at the midpoint: how is it going, keep going or need help
    CLOSEOUT = "closeout"  # near the end: value, would recommend, confidence again, what changed, continue or close


class ConfidenceStage(enum.StrEnum):
    SIGNUP = "signup"  # the baseline, given in the sign-up modal
    MIDPOINT = "midpoint"
    CLOSEOUT = "closeout"


class PairOutcome(enum.StrEnum):
    CONTINUED = "continued"  # both chose to continue: the pair rolled over into the next cycle
    CLOSED = "closed"  # closed with a thank-you at the cycle's end
