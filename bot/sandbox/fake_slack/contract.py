"""The compact Slack contract the fake enforces, derived from the Slack oracles.

The oracle directory (OpenAPI spec of the Web API, slack_sdk's Block Kit limits, java-slack-sdk's
rate-limit tiers, the oracles README) only exists on the machine that prepared it, so the derived
contract is vendored as ``contract.json`` next to this module and loaded at runtime. A test
re-derives it from the oracles and compares, so the vendored file cannot drift silently.

Regenerate with::

    python -m bot.sandbox.fake_slack.contract --oracles /path/to/slack-oracles
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

CONTRACT_PATH = Path(__file__).with_name("contract.json")

# The Web API methods the product uses; the fake implements exactly these. apps.connections.open is called by
# slack_sdk's Socket Mode client, not by the product's code.
METHODS: tuple[str, ...] = (
    "apps.connections.open",
    "auth.test",
    "users.info",
    "users.list",
    "conversations.open",
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "chat.delete",
    "views.open",
    "views.update",
    "views.push",
    "views.publish",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
)

SOURCE_NOTE = (
    "Derived by bot/fake_slack/contract.py. Method arguments and required flags: "
    "slackapi/slack-api-specs web-api/slack_web_openapi_v2_without_examples.json "
    "(MIT License, Copyright (c) Slack Technologies), corrected by the overrides recorded below. "
    "apps.connections.open, newer than that spec, from docs.slack.dev/reference/methods/apps.connections.open. "
    "files.getUploadURLExternal and files.completeUploadExternal, newer than that spec, from their "
    "docs.slack.dev/reference/methods pages (see NOT_IN_SPEC). Scopes: the spec's security entries, granular names. "
    "Block Kit limits: slack_sdk 3.47.0 model validators (MIT) plus docs.slack.dev figures quoted in the "
    "oracles README. Rate-limit tiers: slackapi/java-slack-sdk MethodsRateLimits.java (MIT) and "
    "docs.slack.dev/apis/web-api/rate-limits."
)

# Errors every docs.slack.dev method page lists besides the method's own (auth, transport and platform errors).
_PLATFORM_ERRORS: tuple[str, ...] = (
    "access_denied",
    "accesslimited",
    "account_inactive",
    "deprecated_endpoint",
    "ekm_access_denied",
    "enterprise_is_restricted",
    "fatal_error",
    "internal_error",
    "invalid_arg_name",
    "invalid_arguments",
    "invalid_array_arg",
    "invalid_auth",
    "invalid_charset",
    "invalid_form_data",
    "invalid_post_type",
    "method_deprecated",
    "missing_post_type",
    "missing_scope",
    "no_permission",
    "not_allowed_token_type",
    "not_authed",
    "org_login_required",
    "ratelimited",
    "request_timeout",
    "service_unavailable",
    "team_access_not_granted",
    "team_added_to_org",
    "token_expired",
    "token_revoked",
    "two_factor_setup_required",
)

# Methods Slack added after the 2020 spec was frozen (Socket Mode launched in 2021), as their docs page states
# them. The rate-limit tier still comes from the java-slack-sdk table, like every other method's.
NOT_IN_SPEC: dict[str, dict[str, Any]] = {
    "apps.connections.open": {
        "args": [],
        "required": [],
        "content_types": ["application/json", "application/x-www-form-urlencoded"],
        "errors": [
            "access_denied",
            "accesslimited",
            "account_inactive",
            "deprecated_endpoint",
            "ekm_access_denied",
            "enterprise_is_restricted",
            "fatal_error",
            "internal_error",
            "invalid_arg_name",
            "invalid_arguments",
            "invalid_array_arg",
            "invalid_auth",
            "invalid_charset",
            "invalid_form_data",
            "invalid_post_type",
            "method_deprecated",
            "missing_post_type",
            "missing_scope",
            "no_permission",
            "not_allowed_token_type",
            "not_authed",
            "org_login_required",
            "ratelimited",
            "request_timeout",
            "service_unavailable",
            "team_access_not_granted",
            "team_added_to_org",
            "token_expired",
            "token_revoked",
            "two_factor_setup_required",
        ],
        "source": (
            "docs.slack.dev/reference/methods/apps.connections.open: no arguments besides the token, form or JSON "
            "bodies, 'This API method uses an app-level token'; the token must be in the Authorization header, "
            "'passing it as a POST parameter will result in an error'."
        ),
    },
    # Slack's v2 file upload (slack_sdk's files_upload_v2): get an upload URL, POST the bytes to it, complete.
    "files.getUploadURLExternal": {
        "args": ["alt_txt", "filename", "length", "snippet_type"],
        "required": ["filename", "length"],
        "content_types": ["application/x-www-form-urlencoded"],
        "errors": [
            *_PLATFORM_ERRORS,
            "alt_txt_too_large",
            "file_type_not_allowed",
            "file_upload_size_restricted",
            "file_uploads_disabled",
            "file_uploads_except_images_disabled",
            "missing_argument",
            "snippet_too_large",
            "storage_limit_reached",
            "unknown_snippet_type",
            "unknown_subtype",
        ],
        "scopes": ["files:write"],
        "source": (
            "docs.slack.dev/reference/methods/files.getUploadURLExternal: required length (integer, 'size in bytes') "
            "and filename, optional snippet_type and alt_txt; bot scope files:write; Tier 4; returns upload_url and "
            "file_id; errors as listed there. Content type: api.slack.com's page lists form bodies only "
            "(docs.slack.dev adds JSON, but JSON bodies are reported refused live), so form only."
        ),
    },
    "files.completeUploadExternal": {
        "args": [
            "blocks",
            "channel_id",
            "channels",
            "files",
            "icon_emoji",
            "icon_url",
            "initial_comment",
            "thread_ts",
            "username",
        ],
        "required": ["files"],
        "content_types": ["application/json", "application/x-www-form-urlencoded"],
        "errors": [
            *_PLATFORM_ERRORS,
            "channel_not_found",
            "channels_limit_exceeded",
            "file_not_found",
            "file_type_not_allowed",
            "file_update_failed",
            "file_uploads_except_images_disabled",
            "invalid_blocks",
            "invalid_channel",
            "not_in_channel",
            "posting_to_channel_denied",
            "user_is_external_guest",
        ],
        "scopes": ["files:write"],
        "source": (
            "docs.slack.dev/reference/methods/files.completeUploadExternal: required files (array of id + optional "
            "title), optional channel_id, channels (at most 100), initial_comment (blocks ignored when it is set), "
            "thread_ts (one channel only), blocks, username/icon_* (chat:write.customize); bot scope files:write; "
            "Tier 4; 'This method can only be called once'; errors as listed there (file_not_found: 'Could not find "
            "the file from the upload ticket', not_in_channel: 'User/bot membership is required')."
        ),
    },
}

# Which kind of token each method takes. Everything the product calls takes the bot token; an app-level token
# (xapp-) opens Socket Mode connections and nothing else the product needs.
APP_TOKEN_METHODS: frozenset[str] = frozenset({"apps.connections.open"})

# Arguments every method accepts although the 2020 spec does not list them.
COMMON_ARGS: dict[str, str] = {
    "team_id": "Bolt's per-request WebClient adds team_id=<context team> to every call (oracles README caveat).",
}

# Arguments documented after the 2020 spec was frozen, and sent by slack_sdk 3.47 when a caller passes them.
NEWER_ARGS: dict[str, dict[str, str]] = {
    "chat.postMessage": {
        "metadata": "Message metadata (docs.slack.dev/messaging/message-metadata); newer than the 2020 spec.",
        "markdown_text": "Markdown alternative to text/blocks (docs.slack.dev chat.postMessage); newer than the spec.",
    },
    "chat.postEphemeral": {
        "markdown_text": "Markdown alternative to text/blocks (docs.slack.dev chat.postEphemeral); newer.",
    },
    "chat.update": {
        "metadata": "Message metadata; newer than the 2020 spec.",
        "markdown_text": "Markdown alternative to text/blocks; newer than the 2020 spec.",
        "file_ids": "Files to attach to the updated message (docs.slack.dev chat.update); newer.",
        "reply_broadcast": "Broadcast a thread reply to the channel (docs.slack.dev chat.update); newer.",
    },
    "views.open": {
        "interactivity_pointer": "Alternative to trigger_id (docs.slack.dev views.open); newer than the spec.",
    },
    "views.push": {
        "interactivity_pointer": "Alternative to trigger_id (docs.slack.dev views.push); newer than the spec.",
    },
    "conversations.open": {
        "prevent_creation": "Do not create the DM if it does not exist (docs.slack.dev); newer than the spec.",
    },
    "users.list": {
        "team_id": "Org-wide apps pick the workspace (docs.slack.dev users.list).",
    },
}

# Arguments the 2020 spec marks optional although the method cannot work without them.
REQUIRED_OVERRIDES: dict[str, dict[str, str]] = {
    "users.info": {"user": "docs.slack.dev users.info lists `user` as required; without it: user_not_found."},
    "chat.delete": {
        "channel": "docs.slack.dev chat.delete lists `channel` as required.",
        "ts": "docs.slack.dev chat.delete lists `ts` as required.",
    },
    "views.update": {"view": "docs.slack.dev views.update lists `view` as required."},
}

# Arguments the spec marks required but newer docs turned into "one of these".
NOT_REQUIRED_OVERRIDES: dict[str, dict[str, str]] = {
    "views.open": {"trigger_id": "docs.slack.dev: one of trigger_id / interactivity_pointer is required."},
    "views.push": {"trigger_id": "docs.slack.dev: one of trigger_id / interactivity_pointer is required."},
}

ONE_OF: dict[str, list[list[str]]] = {
    "views.open": [["trigger_id", "interactivity_pointer"]],
    "views.push": [["trigger_id", "interactivity_pointer"]],
    "views.update": [["view_id", "external_id"]],
    "conversations.open": [["channel", "users"]],
}

# Numbers the docs give in prose only; the fake needs a figure, so the choice is recorded here.
SPECIAL_TIERS: dict[str, dict[str, Any]] = {
    "SpecialTier_chat_postMessage": {
        "per_channel_per_second": 1,
        "per_channel_burst": 5,
        "per_minute": 300,
        "note": (
            "docs: 'one message per second per channel ... Short bursts >1 allowed', plus a workspace-wide "
            "limit ('several hundred messages per minute', java-slack-sdk javadoc). The burst size (5) and the "
            "workspace figure (300/min) are choices: Slack publishes no numbers."
        ),
    },
    "SpecialTier_auth_test": {
        "per_minute": 600,
        "note": "README: auth.test allows 'hundreds per minute'; 600/min is a choice.",
    },
}

# Tier bursts the docs allow in prose only. Without one, Tier1's "1+ per minute" would make a Socket Mode client
# wait a minute for each reconnection's apps.connections.open, which real Slack does not do.
TIER_BURSTS: dict[str, dict[str, Any]] = {
    "Tier1": {
        "burst": 5,
        "note": (
            "docs.slack.dev/apis/web-api/rate-limits: Tier 1 '1+ per minute ... A small amount of burst behavior "
            "is tolerated'. 5 calls at once, refilled at the per-minute rate, is a choice: Slack publishes no number."
        ),
    },
}


class ContractError(RuntimeError):
    """Raised when the oracles no longer contain what the derivation expects."""


def default_oracles_dir() -> Path:
    """Return the oracle directory: ``$SLACK_ORACLES_DIR`` or ``<repo>/../shared/slack-oracles``.

    Returns:
        The path (it may not exist on machines other than the one that prepared the oracles).
    """
    env = os.environ.get("SLACK_ORACLES_DIR")
    if env:
        return Path(env)
    return (Path(__file__).resolve().parents[3] / ".." / "shared" / "slack-oracles").resolve()


def _search(pattern: str, text: str, what: str) -> re.Match[str]:
    match = re.search(pattern, text)
    if match is None:
        raise ContractError(f"oracles README no longer states {what} (pattern {pattern!r})")
    return match


def _derive_methods(spec: Mapping[str, Any], tiers: Mapping[str, str]) -> dict[str, Any]:
    methods: dict[str, Any] = {}
    for name in METHODS:
        if name not in tiers:
            raise ContractError(f"no rate-limit tier for {name}")
        path = spec["paths"].get(f"/{name}")
        if path is None:
            if name not in NOT_IN_SPEC:
                raise ContractError(f"the OpenAPI spec has no /{name}")
            documented = NOT_IN_SPEC[name]
            methods[name] = {
                "args": sorted(documented["args"]),
                "required": sorted(documented["required"]),
                "one_of": ONE_OF.get(name, []),
                "newer_args": NEWER_ARGS.get(name, {}),
                "required_overrides": {},
                "content_types": sorted(documented["content_types"]),
                "spec_errors": sorted(documented["errors"]),
                "tier": tiers[name],
                "token": "app" if name in APP_TOKEN_METHODS else "bot",
                "scopes": sorted(documented.get("scopes", [])),
                "not_in_spec": documented["source"],
            }
            continue
        # Each path has a single operation; its HTTP verb and "in" locations are ignored on purpose
        # (README caveat: the SDK sends JSON or form bodies whatever the spec says).
        (operation,) = path.values()
        params = [p for p in operation.get("parameters", []) if p["name"] != "token"]
        spec_required = {p["name"] for p in params if p.get("required")}
        required = (spec_required | set(REQUIRED_OVERRIDES.get(name, {}))) - set(NOT_REQUIRED_OVERRIDES.get(name, {}))
        error_schema = operation.get("responses", {}).get("default", {}).get("schema", {})
        errors = error_schema.get("properties", {}).get("error", {}).get("enum", [])
        methods[name] = {
            "args": sorted(p["name"] for p in params),
            "required": sorted(required),
            "one_of": ONE_OF.get(name, []),
            "newer_args": NEWER_ARGS.get(name, {}),
            "required_overrides": {
                **REQUIRED_OVERRIDES.get(name, {}),
                **NOT_REQUIRED_OVERRIDES.get(name, {}),
            },
            "content_types": sorted(operation.get("consumes", [])),
            "spec_errors": sorted(errors),
            "tier": tiers[name],
            "token": "app" if name in APP_TOKEN_METHODS else "bot",
            "scopes": _granular_scopes(operation),
        }
    return methods


def _granular_scopes(operation: Mapping[str, Any]) -> list[str]:
    """The scopes that let a bot token call a spec operation (any one of them will do).

    The 2020 spec names legacy scopes ("chat:write:bot"); bot tokens hold the granular name. "none" means no
    scope is needed (auth.test, views.*).
    """
    security = operation.get("security") or [{}]
    scopes = {re.sub(r":(bot|user)$", "", s) for s in security[0].get("slackAuth", [])}
    return sorted(scopes - {"none"})


def _derive_tiers(tier_note: str, used: set[str]) -> dict[str, Any]:
    per_minute = {f"Tier{n}": int(v) for n, v in re.findall(r"Tier(\d)=(\d+)\+/min", tier_note)}
    if set(per_minute) != {"Tier1", "Tier2", "Tier3", "Tier4"}:
        raise ContractError(f"tier figures not found in the tiers note: {tier_note!r}")
    _search(r"~1 msg/sec/channel", tier_note, "chat.postMessage's one message per second per channel")
    table: dict[str, Any] = {
        tier: {"per_minute": n, **TIER_BURSTS.get(tier, {})} for tier, n in sorted(per_minute.items())
    }
    for tier in sorted(used):
        if tier.startswith("SpecialTier_"):
            if tier not in SPECIAL_TIERS:
                raise ContractError(f"no figures chosen for {tier}")
            table[tier] = SPECIAL_TIERS[tier]
    return table


def _derive_block_kit_limits(sdk_limits: Mapping[str, Any], readme: str) -> dict[str, int]:
    limits: dict[str, int] = {}
    for qualified, attrs in sdk_limits["limits"].items():
        cls = qualified.rsplit(".", 1)[1]
        for attr, value in attrs.items():
            if attr.endswith(("_max_length", "_min_length")) and isinstance(value, int):
                limits[f"{cls}.{attr}"] = value
    # Figures that only the docs give (quoted in the README's LIMITS table).
    message_blocks = int(_search(r"blocks per message\s+(\d+)", readme, "blocks per message").group(1))
    view_blocks = int(_search(r"blocks per modal / Home tab view\s+(\d+)", readme, "blocks per view").group(1))
    if view_blocks != limits.get("View.blocks_max_length"):
        raise ContractError("README and slack_sdk disagree on blocks per view")
    limits["Message.blocks_max_length"] = message_blocks
    limits["Message.text_max_length"] = int(
        _search(r"truncated past ([\d,]+) chars", readme, "the message text limit").group(1).replace(",", "")
    )
    limits["View.external_id_max_length"] = int(
        _search(r'external_id "max length of (\d+)"', readme, "the external_id limit").group(1)
    )
    return dict(sorted(limits.items()))


def _derive_behaviour(readme: str) -> dict[str, Any]:
    response_url = _search(r"up to (\d+) times within (\d+) minutes", readme, "response_url limits")
    return {
        "trigger_ttl_seconds": int(_search(r'within (\d+) seconds of receiving it"', readme, "trigger TTL").group(1)),
        "views_push_max_extra_views": int(
            _search(r'limited to pushing (\d+) additional views"', readme, "the push limit").group(1)
        ),
        "response_url_max_uses": int(response_url.group(1)),
        "response_url_ttl_seconds": int(response_url.group(2)) * 60,
        "signature_max_age_seconds": int(
            _search(r"X-Slack-Request-Timestamp\| > (\d+) s", readme, "the signature age").group(1)
        ),
        "ack_timeout_seconds": int(_search(r"you only have (\d+) seconds to respond", readme, "the ack time").group(1)),
        "view_max_bytes": int(_search(r"view_too_large if >(\d+)kb", readme, "the view size").group(1)) * 1000,
    }


def derive_contract(oracles_dir: Path) -> dict[str, Any]:
    """Derive the compact contract from the Slack oracle directory.

    Args:
        oracles_dir: The ``slack-oracles`` directory (see its README.txt).

    Returns:
        A JSON-serialisable dict: ``source``, ``common_args``, ``methods`` (args, required, one_of,
        newer_args, accepted content types, tier and token kind per method), ``rate_limit_tiers``, ``block_kit_limits``
        and ``behaviour``.

    Raises:
        ContractError: When an oracle no longer says what the derivation relies on.
    """
    spec = json.loads((oracles_dir / "web-api" / "slack_web_openapi_v2_without_examples.json").read_text())
    tiers_file = json.loads((oracles_dir / "web_api_rate_limit_tiers_from_java_slack_sdk.json").read_text())
    sdk_limits = json.loads((oracles_dir / "blockkit_limits_from_slack_sdk_3.47.0.json").read_text())
    readme = (oracles_dir / "README.txt").read_text()

    methods = _derive_methods(spec, tiers_file["tiers"])
    return {
        "source": SOURCE_NOTE,
        "common_args": COMMON_ARGS,
        "methods": methods,
        "rate_limit_tiers": _derive_tiers(tiers_file["_note"], {m["tier"] for m in methods.values()}),
        "block_kit_limits": _derive_block_kit_limits(sdk_limits, readme),
        "behaviour": _derive_behaviour(readme),
    }


def dump_contract(contract: Mapping[str, Any]) -> str:
    """Serialise a contract the way ``contract.json`` is stored (stable, diff-friendly).

    Args:
        contract: A contract as returned by :func:`derive_contract`.

    Returns:
        The JSON text, ending with a newline.
    """
    return json.dumps(contract, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@cache
def load_contract() -> dict[str, Any]:
    """Load the vendored contract (cached; treat the result as read-only).

    Returns:
        The contract dict stored in ``bot/fake_slack/contract.json``.
    """
    data: dict[str, Any] = json.loads(CONTRACT_PATH.read_text())
    return data


def main(argv: list[str] | None = None) -> int:
    """Re-derive ``contract.json`` from the oracles, or check that it is current.

    Args:
        argv: Command-line arguments (``--oracles DIR``, ``--check``).

    Returns:
        The process exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--oracles", type=Path, default=default_oracles_dir())
    parser.add_argument("--check", action="store_true", help="fail if contract.json is out of date")
    args = parser.parse_args(argv)
    text = dump_contract(derive_contract(args.oracles))
    if args.check:
        current = CONTRACT_PATH.read_text() if CONTRACT_PATH.exists() else ""
        if current != text:
            print(f"{CONTRACT_PATH} is out of date; run without --check to regenerate it")
            return 1
        return 0
    CONTRACT_PATH.write_text(text)
    print(f"wrote {CONTRACT_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
