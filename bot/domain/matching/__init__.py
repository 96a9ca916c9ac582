"""Whole-pool matching for reverse-mentoring rounds: pure rules, no Slack, no database."""

from bot.domain.matching.engine import propose, propose_with_stats
from bot.domain.matching.model import (
    CADENCES,
    DEFAULT_RULES,
    ROLES,
    Candidate,
    Constraint,
    MatchRules,
    PairScore,
    Proposal,
    ProposedMatch,
    ScoreWeights,
    Unmatched,
)
from bot.domain.matching.scoring import COMPONENTS, department_history, pair_score, violations
from bot.domain.matching.solver import SolverTuning, SolveStats

__all__ = [
    "CADENCES",
    "COMPONENTS",
    "DEFAULT_RULES",
    "ROLES",
    "Candidate",
    "Constraint",
    "MatchRules",
    "PairScore",
    "Proposal",
    "ProposedMatch",
    "ScoreWeights",
    "SolveStats",
    "SolverTuning",
    "Unmatched",
    "department_history",
    "pair_score",
    "propose",
    "propose_with_stats",
    "violations",
]
