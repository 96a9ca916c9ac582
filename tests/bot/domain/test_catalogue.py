"""The editable catalogue file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.catalogue import CatalogueError, load_catalogue


def test_default_catalogue_covers_both_directions() -> None:
    catalogue = load_catalogue()
    ids = catalogue.topic_ids
    assert {"genai", "social_media", "data_analytics", "genz_perspective", "security_hygiene"} <= ids
    assert {"leadership", "career_navigation", "strategy", "stakeholder_management"} <= ids
    assert len(catalogue.groups) == 2
    assert "Engineering" in catalogue.departments
    assert catalogue.label("genai") == "Generative AI and new tools"
    assert catalogue.label("retired_topic") == "Retired topic"
    # What seniors share back: the reciprocal matching bonus counts these and only these.
    assert {"leadership", "strategy", "negotiation"} <= catalogue.perspective_ids
    assert not {"genai", "genz_perspective"} & catalogue.perspective_ids


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("topic_groups: [{label: G, topics: [{id: a, label: A}, {id: a, label: B}]}]\ndepartments: [X]", "twice"),
        ("topic_groups: [{label: G, topics: [{id: a, label: '" + "x" * 76 + "'}]}]\ndepartments: [X]", "75"),
        ("topic_groups: []\ndepartments: [X]", "at least one topic"),
        ("just text", "expected a mapping"),
        ("departments: [X]", "topic_groups"),
        ("topic_groups: [ unclosed", "cannot read"),
        ("topic_groups: [{label: G, perspective: maybe, topics: [{id: a, label: A}]}]\ndepartments: [X]", "true or"),
    ],
)
def test_broken_files_say_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "catalogue.yml"
    path.write_text(content)
    with pytest.raises(CatalogueError, match=message) as error:
        load_catalogue(path)
    assert str(path) in str(error.value)
