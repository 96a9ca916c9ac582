"""The escalation ladder: what to do, step by step, when a pair goes quiet, and the thanks when it recovers.

A quiet stretch is an *episode*, keyed by the instant it began (`Momentum.episode_key`). Within one episode
each step is taken at most once, in order: a nudge to the pair, a nudge to each, a note to the mentee's
sponsor, a post for the leads. Nudges start once the pair is cooling; the sponsor and the leads only hear of
a lapsed pair. A session ends the episode, and a pair that was nudged is thanked.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from bot.domain.momentum.state import Momentum, MomentumState
from bot.domain.timezones import aware_utc

_ZERO = timedelta(0)
_THREE_DAYS = timedelta(days=3)
_FOUR_DAYS = timedelta(days=4)


class EscalationStep(enum.StrEnum):
    """What to do about a quiet pair, in ladder order, plus the thank-you that ends an episode."""

    NUDGE_PAIR = "nudge_pair"  # a friendly note to the pair's group DM
    NUDGE_EACH = "nudge_each"  # a DM to each person
    SPONSOR = "sponsor"  # a DM to the mentee's sponsor: the pair has stalled; status only, never survey content
    LEADS = "leads"  # a post in the program leads' channel
    THANKS = "thanks"  # the pair met again after being nudged: thank them


_LADDER = (EscalationStep.NUDGE_PAIR, EscalationStep.NUDGE_EACH, EscalationStep.SPONSOR, EscalationStep.LEADS)
# Nudges start once the pair is cooling; only a lapsed pair is worth a sponsor's or the leads' time.
_NEEDS = {
    EscalationStep.NUDGE_PAIR: MomentumState.COOLING,
    EscalationStep.NUDGE_EACH: MomentumState.COOLING,
    EscalationStep.SPONSOR: MomentumState.LAPSED,
    EscalationStep.LEADS: MomentumState.LAPSED,
}


@dataclass(frozen=True)
class EscalationRules:
    """Minimum spacing between ladder steps; each gap is measured from the previous step taken.

    Attributes:
        nudge_each_after: From the pair nudge to the individual nudges.
        sponsor_after: From the individual nudges to the sponsor DM.
        leads_after: From the previous step (the sponsor DM, or the individual nudges when the mentee has
            no sponsor) to the leads' post.
    """

    nudge_each_after: timedelta = _THREE_DAYS
    sponsor_after: timedelta = _THREE_DAYS
    leads_after: timedelta = _FOUR_DAYS

    def __post_init__(self) -> None:
        for name in ("nudge_each_after", "sponsor_after", "leads_after"):
            if getattr(self, name) < _ZERO:
                raise ValueError(f"{name} must not be negative")

    def gap_before(self, step: EscalationStep) -> timedelta:
        """How long after the previous step `step` may be taken (zero for the first step)."""
        return {
            EscalationStep.NUDGE_EACH: self.nudge_each_after,
            EscalationStep.SPONSOR: self.sponsor_after,
            EscalationStep.LEADS: self.leads_after,
        }.get(step, _ZERO)


DEFAULT_ESCALATION_RULES = EscalationRules()


@dataclass(frozen=True)
class Episode:
    """The steps already taken in one lapse episode, as the caller stored them.

    Attributes:
        key: The episode's identity: `Momentum.episode_key` (or `EscalationDecision.episode_key`) at the
            time its first step was taken.
        taken: When each step was taken (or queued for sending, if that is how the caller records it).
    """

    key: datetime
    taken: Mapping[EscalationStep, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", aware_utc(self.key, "key"))
        taken = {EscalationStep(step): aware_utc(at, "taken") for step, at in self.taken.items()}
        object.__setattr__(self, "taken", MappingProxyType(taken))


@dataclass(frozen=True)
class EscalationDecision:
    """What `next_escalation` says to do now.

    Attributes:
        episode_key: Record `steps` under this episode key (for THANKS it is the episode being closed).
        steps: Steps due now, in order; empty when nothing is due.
        next_check_at: When to evaluate again if nothing changes; None when nothing will become due
            without new facts (a session, a pause ending early, a new snooze, closure). Sending still goes
            through `next_send_window` for each DM recipient.
    """

    episode_key: datetime
    steps: tuple[EscalationStep, ...]
    next_check_at: datetime | None


def next_escalation(
    momentum: Momentum,
    episode: Episode | None,
    *,
    now: datetime,
    has_sponsor: bool,
    snoozed_until: datetime | None = None,
    rules: EscalationRules = DEFAULT_ESCALATION_RULES,
) -> EscalationDecision:
    """Decide which escalation steps are due now for a pair.

    The ladder is NUDGE_PAIR, NUDGE_EACH, SPONSOR (skipped without a sponsor), LEADS: each at most once
    per episode, in that order, spaced by `rules`, nudges from cooling on and the sponsor and leads only
    once lapsed. A step is never taken after a later one (a sponsor added after the leads were told is
    not DM'd). Nothing is sent while either person is paused or while a lead's snooze runs. When a session
    ends an episode in which any ladder step was taken, THANKS is due once, even during a snooze.

    Args:
        momentum: `compute_momentum(facts, now)` for the same `now`.
        episode: The stored episode the caller last recorded steps for, or None.
        now: The moment to evaluate at (timezone-aware).
        has_sponsor: Whether the mentee has a sponsor.
        snoozed_until: A lead's snooze: no ladder steps before this instant.
        rules: Step spacing.

    Returns:
        The steps due now, the episode to record them under, and when to check again.

    Raises:
        ValueError: If `now` or `snoozed_until` is naive.
    """
    now = aware_utc(now, "now")
    snoozed_until = None if snoozed_until is None else aware_utc(snoozed_until, "snoozed_until")

    if momentum.state is MomentumState.CLOSED:
        return EscalationDecision(momentum.episode_key, (), None)

    # A later session moved the episode key on: that episode is over. Comparing instants, not equality,
    # keeps the episode when a partner's log only moved the same day's session earlier.
    ended = episode is not None and momentum.last_session_at is not None and momentum.last_session_at > episode.key
    if episode is not None and not ended:
        key, taken = episode.key, episode.taken
    else:
        key, taken = momentum.episode_key, MappingProxyType({})

    current = _ladder(momentum, taken, now=now, has_sponsor=has_sponsor, snoozed_until=snoozed_until, rules=rules)
    if ended and episode is not None and _owes_thanks(episode):
        # Thank first; anything already due in the new episode is picked up right after it is recorded.
        follow_up = now if current.steps else current.next_check_at
        return EscalationDecision(episode.key, (EscalationStep.THANKS,), follow_up)
    return EscalationDecision(key, current.steps, current.next_check_at)


def _owes_thanks(episode: Episode) -> bool:
    return EscalationStep.THANKS not in episode.taken and any(s in episode.taken for s in _LADDER)


@dataclass(frozen=True)
class _LadderResult:
    steps: tuple[EscalationStep, ...]
    next_check_at: datetime | None


def _ladder(
    momentum: Momentum,
    taken: Mapping[EscalationStep, datetime],
    *,
    now: datetime,
    has_sponsor: bool,
    snoozed_until: datetime | None,
    rules: EscalationRules,
) -> _LadderResult:
    done = [i for i, step in enumerate(_LADDER) if step in taken]
    remaining = [
        step for step in _LADDER[(max(done) + 1 if done else 0) :] if step is not EscalationStep.SPONSOR or has_sponsor
    ]
    previous = max((taken[s] for s in _LADDER if s in taken), default=None)

    due: list[EscalationStep] = []
    next_check_at: datetime | None = None
    for step in remaining:
        state_at = momentum.cooling_at if _NEEDS[step] is MomentumState.COOLING else momentum.lapsed_at
        if state_at is None:
            break  # an open-ended pause stops the clock first: nothing will come due on its own
        ready_at = state_at if previous is None else max(state_at, previous + rules.gap_before(step))
        if ready_at > now:
            next_check_at = ready_at
            break
        due.append(step)
        previous = now  # spacing for the following step counts from now, when this one goes out

    # Holds: a pause (possibly open-ended) or a snooze delays what is due, and what comes due before it ends.
    holds: list[datetime | None] = []
    if momentum.paused:
        holds.append(momentum.paused_until)
    if snoozed_until is not None and now < snoozed_until:
        holds.append(snoozed_until)
    if momentum.booking_hold is not None and now < momentum.booking_hold:
        holds.append(momentum.booking_hold)  # a session is booked: nothing about going quiet until it has passed
    if not holds:
        return _LadderResult(tuple(due), next_check_at)
    if None in holds or (not due and next_check_at is None):
        # Paused until further notice, or nothing left to do: only new facts can change the answer.
        return _LadderResult((), None)
    hold_until = max(h for h in holds if h is not None)
    if due:
        return _LadderResult((), hold_until)
    assert next_check_at is not None  # for mypy: the branch above returned when it was None
    return _LadderResult((), max(hold_until, next_check_at))
