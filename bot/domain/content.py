"""The editable content library (`bot/data/content.yml` by default).

It holds the words the bot shows mentoring pairs: conversation starters per topic, the first-session agenda, the
mentoring agreement and the private guides for first-time reverse mentors and mentees. HR edits the YAML file; this
module reads it, checks it against Slack's limits, and picks starters for a pair without touching Slack.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

DEFAULT_CONTENT = Path(__file__).parents[1] / "data" / "content.yml"
GENERAL = "general"
"""The key, inside `conversation_starters`, of the starters used when a topic has none of its own."""
CADENCE_PLACEHOLDER = "{cadence}"

# Items are shown one per line; keep them short enough to read at a glance.
MAX_STARTER = 200
MAX_AGENDA_STEP = 200
MAX_AGREEMENT_LINE = 250
MAX_GUIDE_POINT = 250
# Slack: a header block's plain text holds 150 characters, a section's text 3000.
MAX_TITLE = 150
MAX_BLOCK_TEXT = 3000
_BULLET = "• "
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class ContentError(Exception):
    """The content file is unreadable or breaks a rule; the message names the file and the problem."""


@dataclass(frozen=True)
class Content:
    """Everything in the content file, checked.

    Attributes:
        starters: Conversation starters by topic id (topics without a list are absent, never empty).
        general_starters: Starters for any pair, used when a topic has none of its own.
        agenda: Timed steps of the first session.
        agreement: Lines of the mentoring agreement; at least one contains `{cadence}`.
        mentor_guide_title: Title of the private guide for first-time reverse mentors.
        mentor_guide: Points of that guide.
        mentee_guide_title: Title of the private guide for first-time reverse mentees (the seniors).
        mentee_guide: Points of that guide.
    """

    starters: Mapping[str, tuple[str, ...]]
    general_starters: tuple[str, ...]
    agenda: tuple[str, ...]
    agreement: tuple[str, ...]
    mentor_guide_title: str
    mentor_guide: tuple[str, ...]
    mentee_guide_title: str
    mentee_guide: tuple[str, ...]


def load_content(path: Path | None = None) -> Content:
    """Read and check a content file.

    Args:
        path: The YAML file to read; `bot/data/content.yml` when omitted.

    Returns:
        The checked content.

    Raises:
        ContentError: naming the file and the first problem found.
    """
    path = path or DEFAULT_CONTENT
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(f"cannot read content {path}: {exc}") from None
    try:
        return _parse(raw)
    except ValueError as exc:
        raise ContentError(f"content {path}: {exc}") from None


def starters_for(content: Content, topics: Sequence[str], *, count: int = 3, seed: str = "") -> list[str]:
    """Pick conversation starters for a pair, covering the mentee's topics in order.

    Topics take turns: each wanted topic gives one starter before any gives a second. A topic with no starters of
    its own takes its turn from the general starters, and general starters fill up whatever the topics cannot.
    The result has no repeats, so it is shorter than `count` only when the wanted topics and the general list
    together hold fewer distinct starters.

    Args:
        content: The content library.
        topics: The topic ids the mentee wants, most wanted first; repeats are ignored.
        count: How many starters to return.
        seed: Varies the choice deterministically, e.g. the pair's user ids plus a session number. The same
            arguments always give the same starters, in every process (a stable hash, not Python's `hash()`).

    Returns:
        Up to `count` distinct starters, in the order the topics took their turns.

    Raises:
        ValueError: if `count` is negative.
        TypeError: if `topics` is a single string rather than a sequence of ids.
    """
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    if isinstance(topics, str):
        raise TypeError("topics must be a sequence of topic ids, not a single string")
    general = _shuffled(content.general_starters, seed=seed, salt=GENERAL)
    turns = [
        iter(_shuffled(own, seed=seed, salt=topic) if (own := content.starters.get(topic)) else general)
        for topic in dict.fromkeys(topics)
    ]
    picked: list[str] = []
    seen: set[str] = set()

    def take(source: Iterator[str]) -> bool:
        for starter in source:
            if starter not in seen:
                seen.add(starter)
                picked.append(starter)
                return True
        return False

    while turns and len(picked) < count:
        # A topic that has run out drops out of the rotation.
        turns = [source for source in turns if len(picked) < count and take(source)]
    leftovers = iter(general)
    while len(picked) < count and take(leftovers):
        pass
    return picked


def agreement_lines(content: Content, cadence_label: str) -> list[str]:
    """The mentoring agreement with `{cadence}` filled in.

    Args:
        content: The content library.
        cadence_label: The pair's rhythm as people read it, e.g. "Every two weeks". It is inserted as given; the
            default agreement puts it after a colon so a capitalised label reads well.

    Returns:
        The agreement's lines, in file order.

    Raises:
        ValueError: if `cadence_label` is blank.
    """
    label = cadence_label.strip()
    if not label:
        raise ValueError("cadence_label must not be blank")
    # str.replace, not str.format: braces in a label or a line must not be read as fields.
    return [line.replace(CADENCE_PLACEHOLDER, label) for line in content.agreement]


def _shuffled(items: Sequence[str], *, seed: str, salt: str) -> tuple[str, ...]:
    """A seeded order that is the same on every run and machine."""

    def key(item: str) -> bytes:
        return hashlib.sha256(f"{seed}\x1f{salt}\x1f{item}".encode()).digest()

    return tuple(sorted(items, key=key))


def _parse(raw: object) -> Content:
    if not isinstance(raw, dict):
        raise ValueError(
            "expected a mapping with conversation_starters, first_session_agenda, agreement, mentor_guide, mentee_guide"
        )
    starters: dict[str, tuple[str, ...]] = {}
    for key, items in _mapping(raw, "conversation_starters").items():
        topic = str(key).strip()
        if not topic:
            raise ValueError("conversation_starters has a blank topic id")
        starters[topic] = _texts(items, f"conversation_starters.{topic}", limit=MAX_STARTER)
    if GENERAL not in starters:
        raise ValueError(f"conversation_starters needs a {GENERAL!r} list, used when a topic has none")
    general = starters.pop(GENERAL)
    agenda = _texts(_required(raw, "first_session_agenda"), "first_session_agenda", limit=MAX_AGENDA_STEP)
    agreement = _texts(_required(raw, "agreement"), "agreement", limit=MAX_AGREEMENT_LINE)
    for number, line in enumerate(agreement, start=1):
        unknown = [field for field in _PLACEHOLDER.findall(line) if field != CADENCE_PLACEHOLDER]
        if unknown:
            raise ValueError(f"agreement item {number}: unknown placeholder {unknown[0]}; only {CADENCE_PLACEHOLDER}")
    if not any(CADENCE_PLACEHOLDER in line for line in agreement):
        raise ValueError(f"agreement must mention {CADENCE_PLACEHOLDER} so the pair sees the rhythm they chose")
    title, points = _guide(raw, "mentor_guide")
    mentee_title, mentee_points = _guide(raw, "mentee_guide")
    for where, lines in [
        ("first_session_agenda", agenda),
        ("agreement", agreement),
        ("mentor_guide.points", points),
        ("mentee_guide.points", mentee_points),
    ]:
        shown = sum(len(_BULLET) + len(line) + 1 for line in lines)
        if shown > MAX_BLOCK_TEXT:
            raise ValueError(f"{where} is {shown} characters in all; Slack shows at most {MAX_BLOCK_TEXT} in one block")
    return Content(
        starters=MappingProxyType(starters),
        general_starters=general,
        agenda=agenda,
        agreement=agreement,
        mentor_guide_title=title,
        mentor_guide=points,
        mentee_guide_title=mentee_title,
        mentee_guide=mentee_points,
    )


def _guide(raw: dict[object, object], key: str) -> tuple[str, tuple[str, ...]]:
    """A guide's title and points."""
    guide = _mapping(raw, key)
    title = _text(guide.get("title"), f"{key}.title", limit=MAX_TITLE)
    return title, _texts(guide.get("points"), f"{key}.points", limit=MAX_GUIDE_POINT)


def _required(raw: dict[object, object], key: str) -> object:
    if key not in raw:
        raise ValueError(f"missing {key}")
    return raw[key]


def _mapping(raw: dict[object, object], key: str) -> dict[object, object]:
    value = _required(raw, key)
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be a mapping")
    return value


def _texts(value: object, where: str, *, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where} must be a non-empty list of lines")
    lines = tuple(_text(item, f"{where} item {number}", limit=limit) for number, item in enumerate(value, start=1))
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        normalised = " ".join(line.casefold().split())
        if normalised in seen:
            raise ValueError(f"{where} item {number} repeats item {seen[normalised]}")
        seen[normalised] = number
    return lines


def _text(value: object, where: str, *, limit: int) -> str:
    if isinstance(value, dict):
        # The usual cause: an unquoted line containing ": ", which YAML reads as a key and a value.
        raise ValueError(f"{where} must be text; put the line in double quotes")
    if not isinstance(value, str):
        raise ValueError(f"{where} must be text, not {value!r}")
    text = value.strip()
    if not text:
        raise ValueError(f"{where} is blank")
    if len(text) > limit:
        raise ValueError(f"{where} is {len(text)} characters; the limit is {limit}")
    return text
