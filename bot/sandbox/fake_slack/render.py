"""Turn Block Kit into plain text a person can read in a transcript or a test failure."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"<([^<>]+)>")


def mrkdwn_to_text(text: str, *, users: Mapping[str, str] | None = None) -> str:
    """Resolve Slack's mrkdwn entities (mentions, links, escapes) to readable text.

    Emphasis markers (``*bold*``, ``_italic_``, ``~strike~``) are kept as they are: they read fine as
    plain text and keep the transcript faithful to what was sent.

    Args:
        text: mrkdwn text.
        users: User id -> display name, for ``<@U123>`` mentions.

    Returns:
        Plain text.
    """
    names = users or {}

    def replace(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            user_id = target[1:]
            return "@" + (names.get(user_id) or label or user_id)
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            command = target[1:]
            if command in ("here", "channel", "everyone"):
                return "@" + command
            if command.startswith("subteam^"):
                return label or "@" + command.split("^", 1)[1]
            return label or command
        return label or target.removeprefix("mailto:")

    return html.unescape(_TOKEN.sub(replace, text))


def _text(obj: Any, users: Mapping[str, str] | None) -> str:
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, dict):
        return ""
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_text(text, users=users)
    return text


def _option_label(option: Any, users: Mapping[str, str] | None) -> str:
    return _text(option.get("text"), users) if isinstance(option, dict) else ""


def _element(element: Mapping[str, Any], users: Mapping[str, str] | None, *, detailed: bool = False) -> str:
    """Render an element inline, e.g. ``[Join]`` or ``[Pick a topic v]``."""
    kind = element.get("type")
    placeholder = _text(element.get("placeholder"), users)
    if kind == "button":
        return f"[{_text(element.get('text'), users)}]"
    if kind == "overflow":
        return "[...]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind in ("radio_buttons", "checkboxes"):
        chosen = element.get("initial_options") or (
            [element["initial_option"]] if element.get("initial_option") else []
        )
        chosen_values = {o.get("value") for o in chosen if isinstance(o, dict)}
        on, off = ("(o)", "( )") if kind == "radio_buttons" else ("[x]", "[ ]")
        return "  ".join(
            f"{on if o.get('value') in chosen_values else off} {_option_label(o, users)}"
            for o in element.get("options") or []
            if isinstance(o, dict)
        )
    if kind in ("static_select", "multi_static_select", "external_select", "multi_external_select"):
        chosen = element.get("initial_options") or (
            [element["initial_option"]] if element.get("initial_option") else []
        )
        shown = ", ".join(_option_label(o, users) for o in chosen) or placeholder or "Select"
        text = f"[{shown} v]"
        if detailed:
            options = list(element.get("options") or [])
            for group in element.get("option_groups") or []:
                options.extend(group.get("options") or [])
            if options:
                text += " (options: " + ", ".join(_option_label(o, users) for o in options) + ")"
        return text
    if kind in ("users_select", "multi_users_select"):
        chosen_users = element.get("initial_users") or (
            [element["initial_user"]] if element.get("initial_user") else []
        )
        shown = ", ".join("@" + (users or {}).get(u, u) for u in chosen_users)
        return f"[{shown or placeholder or 'Select a person'} v]"
    if kind in ("conversations_select", "channels_select", "multi_conversations_select", "multi_channels_select"):
        chosen = element.get("initial_conversation") or element.get("initial_channel")
        return f"[{'#' + chosen if chosen else placeholder or 'Select a channel'} v]"
    if kind == "datepicker":
        return f"[{element.get('initial_date') or placeholder or 'Select a date'}]"
    if kind == "timepicker":
        return f"[{element.get('initial_time') or placeholder or 'Select time'}]"
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        value = element.get("initial_value")
        return f"[{value}]" if value not in (None, "") else f"[{placeholder or '____'}]"
    return f"[{kind}]"


def _rich_inline(elements: Any, users: Mapping[str, str] | None) -> str:
    parts: list[str] = []
    for item in elements or []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "text":
            parts.append(str(item.get("text", "")))
        elif kind == "link":
            parts.append(str(item.get("text") or item.get("url", "")))
        elif kind == "user":
            user_id = str(item.get("user_id", ""))
            parts.append("@" + (users or {}).get(user_id, user_id))
        elif kind == "channel":
            parts.append("#" + str(item.get("channel_id", "")))
        elif kind == "usergroup":
            parts.append("@" + str(item.get("usergroup_id", "")))
        elif kind == "emoji":
            parts.append(f":{item.get('name', '')}:")
        elif kind == "broadcast":
            parts.append("@" + str(item.get("range", "here")))
        elif kind == "date":
            parts.append(str(item.get("fallback", item.get("timestamp", ""))))
    return "".join(parts)


def _rich_text(block: Mapping[str, Any], users: Mapping[str, str] | None) -> list[str]:
    lines: list[str] = []
    for part in block.get("elements") or []:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "rich_text_section":
            lines.extend(_rich_inline(part.get("elements"), users).splitlines() or [""])
        elif kind == "rich_text_list":
            indent = "  " * int(part.get("indent", 0) or 0)
            for number, item in enumerate(part.get("elements") or [], start=1):
                marker = f"{number}." if part.get("style") == "ordered" else "-"
                lines.append(f"{indent}{marker} {_rich_inline(item.get('elements'), users)}")
        elif kind == "rich_text_quote":
            lines.extend("> " + line for line in _rich_inline(part.get("elements"), users).splitlines())
        elif kind == "rich_text_preformatted":
            lines.extend("    " + line for line in _rich_inline(part.get("elements"), users).splitlines())
    return lines


def _block(block: Mapping[str, Any], users: Mapping[str, str] | None) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [f"# {_text(block.get('text'), users)}"]
    if kind == "divider":
        return ["---"]
    if kind == "section":
        lines = _text(block.get("text"), users).splitlines() if block.get("text") else []
        lines.extend(_text(field, users) for field in block.get("fields") or [])
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            rendered = _element(accessory, users)
            if lines:
                lines[-1] = f"{lines[-1]}  {rendered}"
            else:
                lines.append(rendered)
        return lines
    if kind == "context":
        parts = [
            f"[image: {e.get('alt_text', '')}]" if e.get("type") == "image" else _text(e, users)
            for e in block.get("elements") or []
            if isinstance(e, dict)
        ]
        return ["  " + " · ".join(parts)]
    if kind == "actions":
        return [" ".join(_element(e, users) for e in block.get("elements") or [] if isinstance(e, dict))]
    if kind == "input":
        label = _text(block.get("label"), users)
        if block.get("optional"):
            label += " (optional)"
        element = block.get("element")
        lines = [f"{label}: {_element(element, users, detailed=True) if isinstance(element, dict) else ''}"]
        if block.get("hint"):
            lines.append(f"  ({_text(block.get('hint'), users)})")
        return lines
    if kind == "image":
        title = _text(block.get("title"), users)
        return [f"[image: {block.get('alt_text', '')}{' - ' + title if title else ''}]"]
    if kind == "markdown":
        return mrkdwn_to_text(str(block.get("text", "")), users=users).splitlines()
    if kind == "rich_text":
        return _rich_text(block, users)
    if kind == "video":
        return [f"[video: {_text(block.get('title'), users)}]"]
    return [f"[{kind} block]"]


def render_blocks(blocks: Any, *, users: Mapping[str, str] | None = None) -> str:
    """Render a list of Block Kit blocks as plain text.

    Args:
        blocks: The blocks (anything that is not a list renders as ``""``).
        users: User id -> display name, so ``<@U123>`` reads "@Priya Nair".

    Returns:
        One or more lines of text.
    """
    if not isinstance(blocks, list):
        return ""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, dict):
            lines.extend(_block(block, users))
    return "\n".join(line.rstrip() for line in lines)


def render_view(view: Mapping[str, Any], *, users: Mapping[str, str] | None = None) -> str:
    """Render a modal or Home tab view: title bar, blocks, then the close/submit buttons.

    Args:
        view: The view object.
        users: User id -> display name.

    Returns:
        Plain text.
    """
    title = "Home" if view.get("type") == "home" else _text(view.get("title"), users) or "Modal"
    lines = [f"=== {title} ==="]
    body = render_blocks(view.get("blocks"), users=users)
    if body:
        lines.append(body)
    if view.get("type") == "modal":
        buttons = []
        if view.get("close") or view.get("submit"):
            buttons.append(f"[{_text(view.get('close'), users) or 'Cancel'}]")
        else:
            buttons.append("[Close]")
        if view.get("submit"):
            buttons.append(f"[{_text(view.get('submit'), users)}]")
        lines.append("  ".join(buttons))
    return "\n".join(lines)


def render_message(message: Mapping[str, Any], *, users: Mapping[str, str] | None = None) -> str:
    """Render a message dict (blocks when present, else its mrkdwn text), then its shared files.

    Args:
        message: A message as Slack returns it (``text``, optional ``blocks`` and ``files``).
        users: User id -> display name.

    Returns:
        Plain text; each shared file on its own line as ``:paperclip: name (title)``.
    """
    if message.get("blocks"):
        body = render_blocks(message["blocks"], users=users)
    else:
        body = mrkdwn_to_text(str(message.get("text", "")), users=users)
    files = [_file_line(f) for f in message.get("files") or [] if isinstance(f, Mapping)]
    return "\n".join(line for line in (body, *files) if line) if files else body


def _file_line(file: Mapping[str, Any]) -> str:
    name = str(file.get("name") or file.get("id") or "file")
    title = str(file.get("title") or "")
    return f":paperclip: {name}" + (f" ({title})" if title and title != name else "")
