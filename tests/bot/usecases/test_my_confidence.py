"""A person's own confidence, before and after, on their Home tab: across cycles of a pair that rolled over."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.cycles import ConfidenceStage
from bot.usecases import surveys
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import Confidence
from tests.bot.usecases.conftest import NOW

TOM = "U0TOM"


def test_after_a_roll_over_before_and_after_come_from_the_latest_cycle(services: Services) -> None:
    rows = [
        (ConfidenceStage.SIGNUP, 0, 2, 0),
        (ConfidenceStage.MIDPOINT, 1, 3, 60),  # Spring
        (ConfidenceStage.CLOSEOUT, 1, 4, 110),
        (ConfidenceStage.MIDPOINT, 2, 5, 200),  # Autumn, after the pair rolled over: no close-out yet
    ]
    with session_scope(services.engine) as session:
        for stage, cycle_id, value, days in rows:
            session.add(
                Confidence(
                    user_id=TOM,
                    topic="genai",
                    stage=stage,
                    cycle_id=cycle_id,
                    value=value,
                    answered_at=NOW + timedelta(days=days),
                )
            )
    (line,) = surveys.my_confidence(services, TOM)
    # Not "2 → 5 at midpoint → 4 at close-out": Spring's close-out is not after Autumn's midpoint.
    assert (line.signup, line.midpoint, line.closeout) == (2, 5, None)
