"""The editable content library: the default file, starter picking and clear errors for broken files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml

from bot.domain.catalogue import load_catalogue
from bot.domain.content import (
    MAX_AGENDA_STEP,
    MAX_AGREEMENT_LINE,
    MAX_GUIDE_POINT,
    MAX_STARTER,
    Content,
    ContentError,
    agreement_lines,
    load_content,
    starters_for,
)

REPO = Path(__file__).resolve().parents[3]


def fake_content(starters: dict[str, tuple[str, ...]], general: tuple[str, ...] = ("g1", "g2", "g3")) -> Content:
    return Content(
        starters=MappingProxyType(starters),
        general_starters=general,
        agenda=("45 min: everything",),
        agreement=("We meet {cadence}.", "What's said here stays here."),
        mentor_guide_title="Guide",
        mentor_guide=("Be kind.",),
        mentee_guide_title="Mentee guide",
        mentee_guide=("Bring real work.",),
    )


THREE_TOPICS = fake_content({"a": ("a1", "a2", "a3"), "b": ("b1", "b2", "b3"), "c": ("c1", "c2", "c3")})


def topic_of(starter: str) -> str:
    return starter[0]


# The default file


def test_default_content_loads_with_every_part() -> None:
    content = load_content()
    assert len(content.general_starters) >= 8
    assert 4 <= len(content.agenda) <= 6
    assert 5 <= len(content.agreement) <= 7
    assert 6 <= len(content.mentor_guide) <= 8
    assert content.mentor_guide_title
    assert 5 <= len(content.mentee_guide) <= 8
    assert "mentee" in content.mentee_guide_title
    # The three things a good reverse mentee does, as the program's guides describe them.
    guide = " ".join(content.mentee_guide).lower()
    assert "real work" in guide and "let them drive" in guide and "perspective back" in guide


def test_default_agenda_fills_a_45_minute_first_session() -> None:
    minutes = []
    for step in load_content().agenda:
        timed = re.match(r"(\d+) min: \S", step)
        assert timed, f"agenda step should start with 'N min: ': {step!r}"
        minutes.append(int(timed.group(1)))
    assert sum(minutes) == 45


def test_every_catalogue_topic_has_enough_starters() -> None:
    content = load_content()
    missing = {
        topic: len(content.starters.get(topic, ()))
        for topic in sorted(load_catalogue().topic_ids)
        if len(content.starters.get(topic, ())) < 5
    }
    assert missing == {}, "topics with fewer than 5 conversation starters"


def test_default_starters_belong_to_catalogue_topics() -> None:
    # A typo in a topic id would silently leave that topic on the general starters.
    assert set(load_content().starters) <= load_catalogue().topic_ids


def test_default_text_is_short_unique_and_plain() -> None:
    content = load_content()
    for topic, starters in [*content.starters.items(), ("general", content.general_starters)]:
        assert len({s.casefold() for s in starters}) == len(starters), f"repeated starter in {topic}"
        assert all(len(s) <= MAX_STARTER for s in starters), topic
    assert all(len(step) <= MAX_AGENDA_STEP for step in content.agenda)
    assert all(len(line) <= MAX_AGREEMENT_LINE for line in content.agreement)
    assert all(len(point) <= MAX_GUIDE_POINT for point in (*content.mentor_guide, *content.mentee_guide))
    everything = [
        *(s for starters in content.starters.values() for s in starters),
        *content.general_starters,
        *content.agenda,
        *content.agreement,
        content.mentor_guide_title,
        *content.mentor_guide,
        content.mentee_guide_title,
        *content.mentee_guide,
    ]
    for text in everything:
        assert not [c for c in text if unicodedata.category(c) == "So"], f"no emoji or symbols: {text!r}"
        assert text == text.strip() and "\n" not in text


def test_default_agreement_states_the_cadence() -> None:
    lines = agreement_lines(load_content(), "Every two weeks")
    assert any("Every two weeks" in line for line in lines)
    assert not any("{" in line for line in lines)


# Picking starters


def test_starters_take_turns_across_topics_in_order() -> None:
    picked = starters_for(THREE_TOPICS, ["b", "a", "c"], count=5, seed="pair")
    assert [topic_of(s) for s in picked] == ["b", "a", "c", "b", "a"]
    assert len(set(picked)) == 5


def test_each_wanted_topic_gets_one_before_any_gets_two_on_the_default_file() -> None:
    content = load_content()
    topics = ["genai", "leadership", "security_hygiene", "strategy"]
    picked = starters_for(content, topics, count=4, seed="U1:U2")
    for topic, starter in zip(topics, picked, strict=True):
        assert starter in content.starters[topic]


def test_starters_are_deterministic_for_a_seed_and_vary_across_seeds() -> None:
    content = load_content()
    topics = ["genai", "social_media"]
    assert starters_for(content, topics, seed="U1:U2") == starters_for(content, topics, seed="U1:U2")
    assert len({tuple(starters_for(content, topics, seed=f"U1:U2:{n}")) for n in range(10)}) > 1


def test_starters_do_not_depend_on_python_hash_randomisation() -> None:
    script = (
        "import json; from bot.domain.content import load_content, starters_for;"
        "print(json.dumps(starters_for(load_content(), ['genai', 'strategy', 'nope'], count=6, seed='U1:U2')))"
    )
    results = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        results.add(tuple(json.loads(run.stdout)))
    assert len(results) == 1


def test_starters_are_distinct_even_when_topics_share_text() -> None:
    content = fake_content({"a": ("same", "a2"), "b": ("same", "b2")}, general=("same", "g1"))
    picked = starters_for(content, ["a", "b"], count=10)
    assert sorted(picked) == ["a2", "b2", "g1", "same"]


def test_repeated_topics_count_once() -> None:
    picked = starters_for(THREE_TOPICS, ["a", "a", "b"], count=2)
    assert sorted(topic_of(s) for s in picked) == ["a", "b"]


def test_general_starters_fill_in_when_topics_run_out() -> None:
    content = fake_content({"a": ("a1",)})
    picked = starters_for(content, ["a"], count=3, seed="s")
    assert picked[0] == "a1"
    assert set(picked[1:]) <= {"g1", "g2", "g3"} and len(set(picked)) == 3


def test_a_topic_without_starters_takes_its_turn_from_the_general_list() -> None:
    picked = starters_for(THREE_TOPICS, ["retired_topic", "a"], count=2)
    assert picked[0] in {"g1", "g2", "g3"}
    assert topic_of(picked[1]) == "a"


def test_no_topics_means_general_starters() -> None:
    picked = starters_for(THREE_TOPICS, [], count=2, seed="x")
    assert len(picked) == 2 and set(picked) <= {"g1", "g2", "g3"}


def test_asking_for_more_than_the_library_returns_everything_once() -> None:
    picked = starters_for(THREE_TOPICS, ["a"], count=50)
    assert sorted(picked) == ["a1", "a2", "a3", "g1", "g2", "g3"]


def test_count_edge_cases() -> None:
    assert starters_for(THREE_TOPICS, ["a"], count=0) == []
    with pytest.raises(ValueError, match="count"):
        starters_for(THREE_TOPICS, ["a"], count=-1)
    with pytest.raises(TypeError, match="single string"):
        starters_for(THREE_TOPICS, "a")


def test_agreement_lines_fill_the_cadence_literally() -> None:
    assert agreement_lines(THREE_TOPICS, " Weekly ") == ["We meet Weekly.", "What's said here stays here."]
    assert agreement_lines(THREE_TOPICS, "{odd} label")[0] == "We meet {odd} label."
    with pytest.raises(ValueError, match="blank"):
        agreement_lines(THREE_TOPICS, "  ")


# Broken files


def minimal() -> dict[str, Any]:
    return {
        "conversation_starters": {"general": ["Hello?"], "genai": ["Try a prompt?"]},
        "first_session_agenda": ["45 min: talk"],
        "agreement": ["We meet {cadence}."],
        "mentor_guide": {"title": "Guide", "points": ["Be kind."]},
        "mentee_guide": {"title": "Mentee guide", "points": ["Bring real work."]},
    }


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "content.yml"
    path.write_text(yaml.safe_dump(minimal()), encoding="utf-8")
    content = load_content(path)
    assert content.starters == {"genai": ("Try a prompt?",)}
    assert content.general_starters == ("Hello?",)


def _set(*keys: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        target = raw
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def _drop(*keys: str) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        target = raw
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_drop("conversation_starters"), "missing conversation_starters"),
        (_drop("agreement"), "missing agreement"),
        (_drop("conversation_starters", "general"), "'general' list"),
        (_set("conversation_starters", "genai", value=[]), r"conversation_starters\.genai must be a non-empty list"),
        (_set("conversation_starters", value=["Hello?"]), "conversation_starters must be a mapping"),
        (
            _set("conversation_starters", "genai", value=["x" * 201]),
            r"genai item 1 is 201 characters; the limit is 200",
        ),
        (_set("conversation_starters", "genai", value=["Hi?", " hi? "]), "item 2 repeats item 1"),
        (_set("conversation_starters", "genai", value=[{"Pick a task": "try it"}]), "double quotes"),
        (_set("conversation_starters", "genai", value=["ok", 42]), "genai item 2 must be text"),
        (_set("conversation_starters", "genai", value=["  "]), "genai item 1 is blank"),
        (_set("agreement", value=["We meet often."]), r"must mention \{cadence\}"),
        (_set("agreement", value=["We meet {cadense}."]), r"unknown placeholder \{cadense\}"),
        (_set("agreement", value=["{cadence}", *(f"{n} " + "x" * 240 for n in range(14))]), "at most 3000"),
        (_set("first_session_agenda", value="45 min: talk"), "first_session_agenda must be a non-empty list"),
        (_drop("mentor_guide", "title"), r"mentor_guide\.title must be text"),
        (_set("mentor_guide", "title", value="x" * 151), "limit is 150"),
        (_set("mentor_guide", "points", value=["x" * 251]), "limit is 250"),
        (_drop("mentee_guide"), "missing mentee_guide"),
        (_drop("mentee_guide", "title"), r"mentee_guide\.title must be text"),
        (_set("mentee_guide", "points", value=["x" * 251]), r"mentee_guide\.points item 1 is 251 characters"),
        (_set("mentee_guide", "points", value=["Ask.", " ask. "]), r"mentee_guide\.points item 2 repeats item 1"),
    ],
)
def test_broken_files_say_what_is_wrong(tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str) -> None:
    raw = minimal()
    change(raw)
    path = tmp_path / "content.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ContentError, match=message) as error:
        load_content(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("conversation_starters: [ unclosed", "cannot read"),
        ("just text", "expected a mapping"),
        ("", "expected a mapping"),
    ],
)
def test_unreadable_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "content.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=message) as error:
        load_content(path)
    assert str(path) in str(error.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yml"
    with pytest.raises(ContentError, match="cannot read") as error:
        load_content(path)
    assert str(path) in str(error.value)
