"""Block Kit rendered as readable text for transcripts."""

from __future__ import annotations

from bot.sandbox.fake_slack import mrkdwn_to_text, render_blocks, render_view

NAMES = {"U0PRIYA": "Priya Nair", "U0BOB": "Bob Stone"}


def test_mrkdwn_entities_become_readable() -> None:
    text = "Hi <@U0PRIYA>, meet <@U0BOB|bob> in <#C0GEN|general> <!here>: <https://x.test/a|the doc> &amp; *go*"

    assert mrkdwn_to_text(text, users=NAMES) == ("Hi @Priya Nair, meet @Bob Stone in #general @here: the doc & *go*")
    assert mrkdwn_to_text("<@U0NEW> <mailto:a@b.test> <https://x.test>") == "@U0NEW a@b.test https://x.test"


def test_message_blocks_render_in_reading_order() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your match"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "You are paired with <@U0BOB>"},
            "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Say hi"}, "action_id": "hi"},
        },
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Goal*"}, {"type": "plain_text", "text": "GenAI"}]},
        {"type": "divider"},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Week 2"}, {"type": "image", "image_url": "u", "alt_text": "logo"}],
        },
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Pause"}, "action_id": "p"},
                {
                    "type": "static_select",
                    "action_id": "s",
                    "placeholder": {"type": "plain_text", "text": "Pace"},
                    "options": [{"text": {"type": "plain_text", "text": "Weekly"}, "value": "w"}],
                },
                {
                    "type": "overflow",
                    "action_id": "o",
                    "options": [{"text": {"type": "plain_text", "text": "x"}, "value": "x"}],
                },
            ],
        },
        {"type": "image", "image_url": "https://x.test/i.png", "alt_text": "chart"},
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "text", "text": "Hello "}, {"type": "user", "user_id": "U0PRIYA"}],
                },
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "one"}]},
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "link", "url": "https://x.test", "text": "two"}],
                        },
                    ],
                },
                {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}]},
            ],
        },
        {"type": "markdown", "text": "**Bold** <@U0BOB>"},
    ]

    assert render_blocks(blocks, users=NAMES).splitlines() == [
        "# Your match",
        "You are paired with @Bob Stone  [Say hi]",
        "*Goal*",
        "GenAI",
        "---",
        "  Week 2 · [image: logo]",
        "[Pause] [Pace v] [...]",
        "[image: chart]",
        "Hello @Priya Nair",
        "- one",
        "- two",
        "> quoted",
        "**Bold** @Bob Stone",
    ]


def test_modal_renders_title_inputs_with_values_and_buttons() -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Join"},
        "submit": {"type": "plain_text", "text": "Join"},
        "close": {"type": "plain_text", "text": "Not now"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Role"},
                "element": {
                    "type": "static_select",
                    "action_id": "r",
                    "initial_option": {"text": {"type": "plain_text", "text": "Mentor"}, "value": "m"},
                    "options": [
                        {"text": {"type": "plain_text", "text": "Mentor"}, "value": "m"},
                        {"text": {"type": "plain_text", "text": "Mentee"}, "value": "e"},
                    ],
                },
            },
            {
                "type": "input",
                "optional": True,
                "label": {"type": "plain_text", "text": "Note"},
                "hint": {"type": "plain_text", "text": "Anything else?"},
                "element": {"type": "plain_text_input", "action_id": "n", "initial_value": "hello"},
            },
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Pace"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "p",
                    "initial_option": {"text": {"type": "plain_text", "text": "Weekly"}, "value": "w"},
                    "options": [
                        {"text": {"type": "plain_text", "text": "Weekly"}, "value": "w"},
                        {"text": {"type": "plain_text", "text": "Monthly"}, "value": "mo"},
                    ],
                },
            },
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Buddy"},
                "element": {"type": "users_select", "action_id": "b", "initial_user": "U0BOB"},
            },
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Start"},
                "element": {"type": "datepicker", "action_id": "d", "initial_date": "2030-01-15"},
            },
        ],
    }

    assert render_view(view, users=NAMES).splitlines() == [
        "=== Join ===",
        "Role: [Mentor v] (options: Mentor, Mentee)",
        "Note (optional): [hello]",
        "  (Anything else?)",
        "Pace: (o) Weekly  ( ) Monthly",
        "Buddy: [@Bob Stone v]",
        "Start: [2030-01-15]",
        "[Not now]  [Join]",
    ]


def test_home_view_and_junk_render_safely() -> None:
    assert render_view({"type": "home", "blocks": [{"type": "divider"}]}) == "=== Home ===\n---"
    assert render_blocks(None) == "" and render_blocks([{"type": "brand_new"}, "junk"]) == "[brand_new block]"
