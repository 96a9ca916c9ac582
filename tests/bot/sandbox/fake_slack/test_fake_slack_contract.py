"""The vendored contract.json is exactly what the Slack oracles say today."""

from __future__ import annotations

import json
from pathlib import Path

from bot.sandbox.fake_slack.contract import CONTRACT_PATH, METHODS, derive_contract, dump_contract, load_contract, main


def test_vendored_contract_matches_the_oracles(oracles_dir: Path) -> None:
    derived = derive_contract(oracles_dir)

    assert json.loads(CONTRACT_PATH.read_text()) == derived, (
        "contract.json drifted from the oracles; run: python -m bot.sandbox.fake_slack.contract"
    )
    assert CONTRACT_PATH.read_text() == dump_contract(derived)


def test_check_mode_passes_on_the_vendored_file(oracles_dir: Path) -> None:
    assert main(["--oracles", str(oracles_dir), "--check"]) == 0


def test_contract_covers_the_methods_and_credits_its_source() -> None:
    contract = load_contract()

    assert sorted(contract["methods"]) == sorted(METHODS)
    assert "slackapi/slack-api-specs" in contract["source"] and "MIT" in contract["source"]
    assert contract["methods"]["chat.postMessage"]["required"] == ["channel"]
    assert "metadata" in contract["methods"]["chat.postMessage"]["newer_args"]
    assert contract["methods"]["users.info"]["required"] == ["user"]
    assert contract["methods"]["users.info"]["content_types"] == ["application/x-www-form-urlencoded"]
    assert contract["methods"]["users.list"]["tier"] == "Tier2"
    assert contract["rate_limit_tiers"]["Tier2"]["per_minute"] == 20
    assert contract["block_kit_limits"]["Message.blocks_max_length"] == 50
    assert contract["block_kit_limits"]["View.title_max_length"] == 24
    assert contract["behaviour"]["trigger_ttl_seconds"] == 3
    assert contract["behaviour"]["views_push_max_extra_views"] == 2
