"""Why someone was left unmatched, found by checking which hard constraints ruled out their candidates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from bot.domain.matching import text
from bot.domain.matching._vector import BoolArray, FloatArray, IntArray, PoolArrays
from bot.domain.matching.model import Constraint, Unmatched
from bot.domain.matching.scoring import unique_in_order

# What can rule out a partner who shares a topic, in reporting order, for each side of the unmatched person.
_MENTEE_BLOCKERS = (
    Constraint.NO_CAPACITY,
    Constraint.NOT_MORE_JUNIOR,
    Constraint.SAME_DEPARTMENT,
    Constraint.MANAGER,
    Constraint.SPONSOR,
    Constraint.PAST_PAIR,
    Constraint.DO_NOT_MATCH,
)
_MENTOR_BLOCKERS = _MENTEE_BLOCKERS[1:]


class Explainer:
    """Reasons for everyone the optimum left out.

    Args:
        arrays: The pool.
        pairs: The proposed (mentor, mentee) person indices.
        labels: Display label per topic id.
    """

    def __init__(self, arrays: PoolArrays, pairs: Sequence[tuple[int, int]], labels: Mapping[str, str]) -> None:
        self.arrays = arrays
        self.labels = labels
        n = len(arrays.people)
        mentors = np.array([m for m, _ in pairs], dtype=np.int64)
        mentees = np.array([e for _, e in pairs], dtype=np.int64)
        self.load = np.bincount(mentors, minlength=n)
        self.mentored = np.zeros(n, dtype=np.bool_)
        self.mentored[mentees] = True
        self.topic_index = {t: k for k, t in enumerate(arrays.topics)}

    def unmatched(self) -> tuple[Unmatched, ...]:
        """Everyone in neither role, with the reason, in id order."""
        out = []
        for k in np.flatnonzero((self.load == 0) & ~self.mentored).tolist():
            person = self.arrays.people[k]
            if person.role == "none":
                reason = text.NOT_OPTED_IN
            elif person.role == "mentee":
                reason = self.as_mentee(k)
            elif person.role == "mentor":
                reason = self.as_mentor(k)
            else:
                reason = f"as a mentee, {self.as_mentee(k)}; as a mentor, {self.as_mentor(k)}"
            out.append(Unmatched(id=person.id, role=person.role, reason=reason))
        return tuple(out)

    def _labels(self, topics: Iterable[str]) -> list[str]:
        return text.labels_of(list(topics), self.labels)

    def _covered(self, topics: Sequence[str], matrix: FloatArray, people: IntArray) -> list[str]:
        """The ``topics`` (in order) that at least one of ``people`` has in ``matrix`` (teach or learn)."""
        columns = np.array([self.topic_index[t] for t in topics], dtype=np.int64)
        present = np.any(matrix[np.ix_(people, columns)] > 0, axis=0).reshape(-1)
        return [t for t, yes in zip(topics, present, strict=True) if yes]

    def as_mentee(self, k: int) -> str:
        """Why person ``k`` got no mentor."""
        arrays, person = self.arrays, self.arrays.people[k]
        wanted = unique_in_order(person.learns)
        if not wanted:
            return text.nothing_listed("mentee")
        others = np.flatnonzero(arrays.can_mentor)
        others = others[others != k]
        no_topic = arrays.masks(others, np.array([k]), [Constraint.NO_SHARED_TOPIC])[Constraint.NO_SHARED_TOPIC]
        teachers = others[~no_topic[:, 0]]
        # Someone who only wants perspective and is not a mentor: mentors are more junior, so nobody can teach
        # them; perspective comes back from the senior a junior mentors, which is what they are told.
        only_back = set(wanted) <= set(person.wants_back)
        if not len(teachers):
            return self._back(text.nobody_on_topic("mentee", self._labels(wanted)), k, wanted, only_back)
        topics = self._labels(self._covered(wanted, arrays.teach, teachers))
        blocked = self._blocked(arrays.masks(teachers, np.array([k]), _MENTEE_BLOCKERS), _MENTEE_BLOCKERS)
        suitable = teachers[~blocked.any(axis=1)]
        if not len(suitable):
            return self._back(self._all_blocked("mentee", topics, blocked, _MENTEE_BLOCKERS), k, wanted, only_back)
        busy = self.mentored[suitable]
        if ((self.load[suitable] < arrays.capacity[suitable]) & ~busy).any():
            return text.zero_gain()
        return text.outscored("mentee", suitable=len(suitable), busy_other_role=int(busy.sum()))

    def _back(self, reason: str, k: int, wanted: Sequence[str], only_back: bool) -> str:
        """``reason``, plus, for someone who only wants perspective, how they can get it: by mentoring."""
        if not only_back:
            return reason
        labels = self._labels(wanted)
        if self.arrays.people[k].can_mentor:
            return text.learn_it_back_as_mentor(reason, labels)
        return text.learn_it_back(reason, labels)

    def as_mentor(self, k: int) -> str:
        """Why person ``k`` got no mentee."""
        arrays, person = self.arrays, self.arrays.people[k]
        if person.capacity < 1:
            return text.NO_CAPACITY
        taught = unique_in_order(person.teaches)
        if not taught:
            return text.nothing_listed("mentor")
        others = np.flatnonzero(arrays.can_mentee)
        others = others[others != k]
        no_topic = arrays.masks(np.array([k]), others, [Constraint.NO_SHARED_TOPIC])[Constraint.NO_SHARED_TOPIC]
        learners = others[~no_topic[0]]
        if not len(learners):
            return text.nobody_on_topic("mentor", self._labels(taught))
        topics = self._labels(self._covered(taught, arrays.learn, learners))
        blocked = self._blocked(arrays.masks(np.array([k]), learners, _MENTOR_BLOCKERS), _MENTOR_BLOCKERS)
        suitable = learners[~blocked.any(axis=1)]
        if not len(suitable):
            return self._all_blocked("mentor", topics, blocked, _MENTOR_BLOCKERS)
        busy = self.load[suitable] > 0
        if (~busy & ~self.mentored[suitable]).any():
            return text.zero_gain()
        return text.outscored("mentor", suitable=len(suitable), busy_other_role=int(busy.sum()))

    @staticmethod
    def _blocked(masks: Mapping[Constraint, BoolArray], codes: tuple[Constraint, ...]) -> BoolArray:
        """One row per candidate, one column per constraint: does it rule the candidate out.

        The masks are 1 x n or n x 1 (one person against many), so flattening gives one value per candidate.
        """
        return np.stack([np.asarray(masks[code]).reshape(-1) for code in codes], axis=1)

    def _all_blocked(
        self, side: text.Side, topics: list[str], blocked: BoolArray, codes: tuple[Constraint, ...]
    ) -> str:
        covering = next((code for n, code in enumerate(codes) if blocked[:, n].all()), None)
        primary = blocked.argmax(axis=1)  # first constraint in order that rules each candidate out
        tally = {code: int((primary == n).sum()) for n, code in enumerate(codes)}
        return text.all_blocked(
            side,
            topics=topics,
            count=len(blocked),
            tally=tally,
            covering=covering,
            allow_equal_levels=self.arrays.rules.allow_equal_levels,
        )
