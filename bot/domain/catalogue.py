"""The editable catalogue of topics and departments (`bot/data/catalogue.yml` by default)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_CATALOGUE = Path(__file__).parents[1] / "data" / "catalogue.yml"
# Slack's limits for select menus: option text 75 chars, value 150, 100 options or groups per menu.
_MAX_LABEL = 75
_MAX_ID = 150
_MAX_OPTIONS = 100


class CatalogueError(Exception):
    """The catalogue file is unreadable or breaks a rule; the message says where."""


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    group: str
    perspective: bool = False  # what seniors share back with the junior who mentors them


@dataclass(frozen=True)
class Catalogue:
    topics: tuple[Topic, ...]
    departments: tuple[str, ...]

    @property
    def groups(self) -> tuple[str, ...]:
        """Group labels in file order."""
        return tuple(dict.fromkeys(t.group for t in self.topics))

    @property
    def topic_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.topics)

    @property
    def perspective_ids(self) -> frozenset[str]:
        """Topics of the groups marked `perspective: true`: what seniors share back (a smaller matching bonus)."""
        return frozenset(t.id for t in self.topics if t.perspective)

    def label(self, topic_id: str) -> str:
        """The label for a topic id; ids no longer in the file still render readably."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic.label
        return topic_id.replace("_", " ").capitalize()

    def labels(self, topic_ids: list[str] | tuple[str, ...]) -> list[str]:
        return [self.label(t) for t in topic_ids]


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and check a catalogue file.

    Raises:
        CatalogueError: naming the file and the first problem found.
    """
    path = path or DEFAULT_CATALOGUE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"cannot read catalogue {path}: {exc}") from None
    try:
        return _parse(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"catalogue {path}: {exc}") from None


def _parse(raw: object) -> Catalogue:
    if not isinstance(raw, dict):
        raise ValueError("expected a mapping with topic_groups and departments")
    topics: list[Topic] = []
    for group in raw["topic_groups"]:
        group_label = str(group["label"])
        perspective = group.get("perspective", False)
        if not isinstance(perspective, bool):
            raise ValueError(f"group {group_label!r}: perspective must be true or false")
        for item in group["topics"]:
            topics.append(
                Topic(id=str(item["id"]), label=str(item["label"]), group=group_label, perspective=perspective)
            )
    departments = tuple(str(d) for d in raw["departments"])
    seen: set[str] = set()
    for topic in topics:
        if topic.id in seen:
            raise ValueError(f"topic id {topic.id!r} appears twice")
        seen.add(topic.id)
        if not topic.id or len(topic.id) > _MAX_ID:
            raise ValueError(f"topic id {topic.id!r} must be 1-{_MAX_ID} characters")
        if not topic.label or len(topic.label) > _MAX_LABEL:
            raise ValueError(f"topic label {topic.label!r} must be 1-{_MAX_LABEL} characters")
    for label in [*departments, *{t.group for t in topics}]:
        if not label or len(label) > _MAX_LABEL:
            raise ValueError(f"label {label!r} must be 1-{_MAX_LABEL} characters")
    if not topics or not departments:
        raise ValueError("needs at least one topic and one department")
    if len(topics) > _MAX_OPTIONS or len(departments) > _MAX_OPTIONS:
        raise ValueError(f"Slack menus hold at most {_MAX_OPTIONS} options")
    if len(set(departments)) != len(departments):
        raise ValueError("a department appears twice")
    return Catalogue(topics=tuple(topics), departments=departments)
