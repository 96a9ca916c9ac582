"""manifest.yml is a valid v1 app manifest that declares exactly what the code uses."""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from slack_sdk import WebClient

from bot.blocks import ids
from bot.sandbox.fake_slack.contract import default_oracles_dir, load_contract

ROOT = Path(__file__).parents[1]
CODE_DIRS = ("bot", "handlers", "scheduler", "storage")
# The sandbox and the fake Slack call nothing in real Slack; the tool that builds the fake is not the bot.
NOT_THE_BOT = ("bot/fake_slack", "bot/sandbox")
# Scopes the manifest asks for before the bot's code calls the method that needs them, and why. Once the code
# calls it the scan finds the scope needed by itself; then drop the entry.
PENDING_SCOPES: dict[str, str] = {}


def oracles() -> Path:
    path = default_oracles_dir()
    if not path.is_dir():
        message = f"Slack oracles not found at {path} (set SLACK_ORACLES_DIR)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must check the manifest against them")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


def _source_files() -> list[Path]:
    files = [p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py")]
    return [p for p in files if not any(str(p.relative_to(ROOT)).startswith(x) for x in NOT_THE_BOT)]


def _sdk_methods() -> dict[str, set[str]]:
    """WebClient method -> the Slack methods it calls; a helper such as files_upload_v2 calls them through others."""
    sources = {
        name: inspect.getsource(function)
        for name, function in inspect.getmembers(WebClient, inspect.isfunction)
        if not name.startswith("_")
    }
    direct = {name: set(re.findall(r'api_call\(\s*"([a-zA-Z.]+)"', source)) for name, source in sources.items()}
    resolved: dict[str, set[str]] = {}
    for name, source in sources.items():
        methods = direct[name] or {m for helper in re.findall(r"self\.(\w+)\(", source) for m in direct.get(helper, ())}
        if methods:
            resolved[name] = methods
    return resolved


def _web_api_methods_called() -> set[str]:
    """Slack method names behind every `something.chat_postMessage(...)`-style call in the bot's code."""
    sdk_methods = _sdk_methods()
    called: set[str] = set()
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in sdk_methods:
                called |= sdk_methods[node.func.attr]
    return called


def _scopes_for(spec: dict[str, Any], method: str) -> set[str]:
    """Scopes that each let a bot token call the method; empty when it needs none."""
    operation = spec["paths"].get(f"/{method}")
    if operation is None:
        # Newer than the 2020 spec (files.getUploadURLExternal...): the scopes its docs.slack.dev page lists, as the
        # fake's contract records them.
        documented = load_contract()["methods"].get(method)
        assert documented is not None, f"{method} is neither in the 2020 spec nor in the fake's contract"
        return set(documented["scopes"])
    operation = operation.get("post") or operation.get("get")
    # The 2020 spec names legacy scopes ("chat:write:bot"); bot tokens use the granular name.
    return {re.sub(r":(bot|user)$", "", s) for s in operation["security"][0]["slackAuth"]} - {"none"}


def _events_listened() -> set[str]:
    found: set[str] = set()
    for path in _source_files():
        found.update(re.findall(r'\.event\(\s*"([a-z_.]+)"', path.read_text()))
    return found


def test_manifest_is_valid_against_slacks_v1_schema(manifest: dict[str, Any]) -> None:
    schema = json.loads((oracles() / "manifest-schema/schemas/manifest.schema.1.0.0.json").read_text())
    jsonschema.validate(manifest, schema)


def test_upstream_examples_keep_the_schema_honest() -> None:
    """The schema oracle itself accepts Slack's valid example and rejects the invalid one."""
    schema = json.loads((oracles() / "manifest-schema/schemas/manifest.schema.1.0.0.json").read_text())
    tests = oracles() / "manifest-schema/tests/v1"
    jsonschema.validate(json.loads((tests / "manifest.valid.json").read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads((tests / "manifest.invalid.json").read_text()), schema)


def test_scopes_are_exactly_what_the_code_needs(manifest: dict[str, Any]) -> None:
    spec = json.loads((oracles() / "web-api/slack_web_openapi_v2_without_examples.json").read_text())
    declared = set(manifest["oauth_config"]["scopes"]["bot"])
    called = _web_api_methods_called()
    assert {"chat.postMessage", "views.open", "views.publish", "users.info"} <= called  # the scan works
    needed = {"commands"}  # the /mentoring slash command
    for method in sorted(called):
        scopes = _scopes_for(spec, method)
        if not scopes:
            continue
        covering = scopes & declared
        assert covering, f"{method} needs one of {sorted(scopes)}, manifest declares {sorted(declared)}"
        needed |= covering
    pending = set(PENDING_SCOPES) - needed
    assert pending <= declared, f"pending scopes missing from the manifest: {sorted(pending - declared)}"
    assert declared == needed | pending, f"declared but unused scopes: {sorted(declared - needed - pending)}"


def test_the_scan_sees_through_sdk_helpers() -> None:
    """files_upload_v2 makes no api_call itself; the scan must still see the two methods (and scope) it uses."""
    assert _sdk_methods()["files_upload_v2"] == {"files.getUploadURLExternal", "files.completeUploadExternal"}
    assert _sdk_methods()["chat_postMessage"] == {"chat.postMessage"}
    assert _scopes_for({"paths": {}}, "files.completeUploadExternal") == {"files:write"}


def test_commands_events_and_surfaces_are_declared(manifest: dict[str, Any]) -> None:
    features, settings = manifest["features"], manifest["settings"]
    commands = [c["command"] for c in features["slash_commands"]]
    assert commands == [ids.COMMAND]
    assert features["slash_commands"][0]["usage_hint"]
    for sub in ("join", "edit", "status", "pause", "resume", "leave", "help"):
        assert sub in features["slash_commands"][0]["usage_hint"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == _events_listened()
