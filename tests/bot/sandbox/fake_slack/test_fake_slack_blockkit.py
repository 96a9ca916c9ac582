"""Every Block Kit limit the fake enforces, straight against the validator (no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.fake_slack import BlockKitValidator, load_contract

VALIDATOR = BlockKitValidator(load_contract()["block_kit_limits"])


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _section(text: str = "x", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def _button(**extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": "b", "text": _plain("Go"), **extra}


def _options(n: int, *, text: str = "o", value: str | None = None) -> list[dict[str, Any]]:
    return [{"text": _plain(text), "value": value or f"v{i}"} for i in range(n)]


def _modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": _plain("Title"), "blocks": [_section()], **extra}


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([_section()] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
        ([_section("s" * 3001)], "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"),
        (
            [{"type": "header", "text": _plain("h" * 151)}],
            "less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        ([_section(block_id="b" * 256)], "less than 256 characters [json-pointer:/blocks/0/block_id]"),
        ([_section(block_id="d"), _section(block_id="d")], "duplicate block_id `d` [json-pointer:/blocks/1/block_id]"),
        ([{"type": "actions", "elements": [_button(action_id="a" * 256)]}], "/blocks/0/elements/0/action_id]"),
        ([{"type": "actions", "elements": [_button(text=_plain("t" * 76))]}], "/blocks/0/elements/0/text/text]"),
        ([{"type": "actions", "elements": [_button(value="v" * 2001)]}], "/blocks/0/elements/0/value]"),
        ([{"type": "actions", "elements": [_button(action_id=f"a{i}") for i in range(26)]}], "/blocks/0/elements]"),
        ([{"type": "actions", "elements": [_button(), _button()]}], "duplicate action_id `b`"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], "/blocks/0/elements]"),
        ([_section(fields=[{"type": "mrkdwn", "text": "f"}] * 11)], "/blocks/0/fields]"),
        (
            [{"type": "actions", "elements": [{"type": "static_select", "action_id": "s", "options": _options(101)}]}],
            "no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [{"type": "static_select", "action_id": "s", "options": _options(1, text="t" * 76)}],
                }
            ],
            "/blocks/0/elements/0/options/0/text/text]",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [{"type": "static_select", "action_id": "s", "options": _options(1, value="v" * 151)}],
                }
            ],
            "/blocks/0/elements/0/options/0/value]",
        ),
        (
            [{"type": "actions", "elements": [{"type": "overflow", "action_id": "o", "options": _options(6)}]}],
            "/blocks/0/elements/0/options]",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "options": _options(2),
                            "initial_option": {"text": _plain("o"), "value": "nope"},
                        }
                    ],
                }
            ],
            "initial option must match one of the options",
        ),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "must be a plain_text object"),
        ([_section("")], "must be more than 0 characters"),
        ([{"type": "section"}], "must provide either text or fields"),
        ([{"type": "image", "image_url": "u", "alt_text": "a" * 2001}], "/blocks/0/alt_text]"),
    ],
)
def test_message_block_limits(blocks: list[dict[str, Any]], expected: str) -> None:
    problems = VALIDATOR.message_problems(blocks)

    assert any(expected in p for p in problems), problems


def test_valid_messages_pass() -> None:
    groups = [{"label": _plain("G"), "options": _options(100)}]
    blocks = [
        {"type": "header", "text": _plain("h" * 150)},
        _section("s" * 3000, block_id="b" * 255, accessory=_button(value="v" * 2000)),
        {"type": "actions", "elements": [_button(action_id=f"a{i}") for i in range(25)]},
        {"type": "actions", "elements": [{"type": "static_select", "action_id": "s", "option_groups": groups}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
        {"type": "divider"},
        {"type": "rich_text", "elements": []},
    ] + [_section()] * 43

    assert VALIDATOR.message_problems(blocks) == []


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (_modal(title=_plain("t" * 25)), "less than 25 characters [json-pointer:/view/title/text]"),
        (_modal(submit=_plain("s" * 25)), "[json-pointer:/view/submit/text]"),
        (_modal(close=_plain("c" * 25)), "[json-pointer:/view/close/text]"),
        (_modal(private_metadata="m" * 3001), "less than 3001 characters [json-pointer:/view/private_metadata]"),
        (_modal(callback_id="c" * 256), "[json-pointer:/view/callback_id]"),
        (_modal(external_id="e" * 256), "[json-pointer:/view/external_id]"),
        (_modal(blocks=[_section()] * 101), "no more than 100 items allowed [json-pointer:/view/blocks]"),
        ({"type": "modal", "blocks": []}, "missing required field: title [json-pointer:/view]"),
        (
            _modal(blocks=[{"type": "input", "label": _plain("L"), "element": {"type": "plain_text_input"}}]),
            "missing required field: submit [json-pointer:/view]",
        ),
        (
            _modal(
                blocks=[{"type": "input", "label": _plain("L" * 2001), "element": {"type": "plain_text_input"}}],
                submit=_plain("Go"),
            ),
            "[json-pointer:/view/blocks/0/label/text]",
        ),
        ({"type": "sheet", "blocks": []}, "must be one of modal, home [json-pointer:/view/type]"),
    ],
)
def test_view_limits(view: dict[str, Any], expected: str) -> None:
    problems = VALIDATOR.view_problems(view)

    assert any(expected in p for p in problems), problems


def test_home_tabs_take_100_blocks_and_no_title() -> None:
    assert VALIDATOR.view_problems({"type": "home", "blocks": [_section()] * 100}) == []
