"""Block Kit checks and the normalisation Slack applies to stored blocks and views.

Problems are phrased the way Slack phrases them in ``response_metadata.messages`` (without the
``[ERROR]`` prefix), e.g. ``"must be less than 25 characters [json-pointer:/view/title/text]"``.
Only rules backed by the contract's limits table or by the Block Kit reference are checked: a fake
that rejects what Slack accepts would be worse than one that misses a rule.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from bot.sandbox.fake_slack.models import JSON

# Element type -> key of its value in ``state.values`` and in block_actions payloads.
STATE_KEYS: dict[str, str] = {
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
    "rich_text_input": "rich_text_value",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}

# State key -> the element field holding its initial value.
INITIAL_KEYS: dict[str, str] = {
    "value": "initial_value",
    "rich_text_value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
}

INTERACTIVE_TYPES: frozenset[str] = frozenset(
    {*STATE_KEYS, "button", "overflow", "workflow_button", "file_input", "feedback_buttons", "icon_button"}
)
_OPTION_TYPES = frozenset({"static_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow"})
_PLACEHOLDER_TYPES = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
        "datepicker",
        "timepicker",
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
    }
)


def block_elements(block: Mapping[str, Any]) -> list[JSON]:
    """Return the interactive-capable elements of one block (accessory, actions elements, input element).

    Args:
        block: A Block Kit block.

    Returns:
        The element dicts, in display order.
    """
    kind = block.get("type")
    if kind == "actions":
        return [e for e in block.get("elements") or [] if isinstance(e, dict)]
    if kind == "section" and isinstance(block.get("accessory"), dict):
        return [block["accessory"]]
    if kind == "input" and isinstance(block.get("element"), dict):
        return [block["element"]]
    return []


def iter_elements(blocks: Any) -> Iterator[tuple[JSON, JSON]]:
    """Yield ``(block, element)`` for every element in a list of blocks.

    Args:
        blocks: A list of blocks (anything else yields nothing).

    Yields:
        Pairs of the containing block and the element.
    """
    if not isinstance(blocks, list):
        return
    for block in blocks:
        if isinstance(block, dict):
            for element in block_elements(block):
                yield block, element


def all_options(element: Mapping[str, Any]) -> list[JSON]:
    """Return an element's options, flattening ``option_groups``.

    Args:
        element: A select, radio, checkboxes or overflow element.

    Returns:
        The option objects.
    """
    options = [o for o in element.get("options") or [] if isinstance(o, dict)]
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            options.extend(o for o in group.get("options") or [] if isinstance(o, dict))
    return options


def text_of(obj: Any) -> str:
    """Return the string inside a text object (``""`` when absent).

    Args:
        obj: A text object or anything else.

    Returns:
        The text.
    """
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return str(obj["text"])
    return ""


class BlockKitValidator:
    """Checks blocks and views against the contract's Block Kit limits."""

    def __init__(self, limits: Mapping[str, int]) -> None:
        """Create a validator.

        Args:
            limits: The contract's ``block_kit_limits`` table (``"Class.attr_max_length" -> n``).
        """
        self._limits = limits
        # Set by the Web API: whether a ``slack_file`` names an image the app uploaded (None: not checked).
        self.slack_file_problem: Callable[[JSON], str | None] | None = None

    def limit(self, key: str) -> int:
        """Return one figure of the limits table.

        Args:
            key: E.g. ``"SectionBlock.text_max_length"``.

        Returns:
            The limit.
        """
        return self._limits[key]

    # -- entry points ---------------------------------------------------------------------------

    def message_problems(self, blocks: Any, *, pointer: str = "/blocks") -> list[str]:
        """Check the ``blocks`` of a message.

        Args:
            blocks: The decoded ``blocks`` argument.
            pointer: JSON pointer of the blocks array, used in the messages.

        Returns:
            Slack-style problem messages (empty when valid).
        """
        problems: list[str] = []
        self._blocks(blocks, pointer, self.limit("Message.blocks_max_length"), problems)
        return problems

    def view_problems(self, view: Any, *, pointer: str = "/view") -> list[str]:
        """Check a view (modal or Home tab).

        Args:
            view: The decoded ``view`` argument.
            pointer: JSON pointer of the view, used in the messages.

        Returns:
            Slack-style problem messages (empty when valid).
        """
        problems: list[str] = []
        if not isinstance(view, dict):
            return [f"must be an object [json-pointer:{pointer}]"]
        kind = view.get("type")
        if kind not in ("modal", "home"):
            problems.append(f"must be one of modal, home [json-pointer:{pointer}/type]")
        if kind == "modal":
            self._text(view.get("title"), f"{pointer}/title", problems, self.limit("View.title_max_length"), True)
            for name in ("submit", "close"):
                if name in view and view[name] is not None:
                    limit = self.limit(f"View.{name}_max_length")
                    self._text(view[name], f"{pointer}/{name}", problems, limit, True)
            has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
            if has_input and not view.get("submit"):
                # docs.slack.dev modal views: "submit is required when an input block is within the blocks array".
                problems.append(f"missing required field: submit [json-pointer:{pointer}]")
        for name in ("private_metadata", "callback_id", "external_id"):
            value = view.get(name)
            if value is not None:
                self._string(value, f"{pointer}/{name}", problems, self.limit(f"View.{name}_max_length"))
        if "blocks" not in view:
            problems.append(f"missing required field: blocks [json-pointer:{pointer}]")
        else:
            self._blocks(view["blocks"], f"{pointer}/blocks", self.limit("View.blocks_max_length"), problems)
        return problems

    # -- building blocks ------------------------------------------------------------------------

    def _string(self, value: Any, ptr: str, problems: list[str], max_len: int | None, min_len: int = 0) -> None:
        if not isinstance(value, str):
            problems.append(f"must be a string [json-pointer:{ptr}]")
            return
        if max_len is not None and len(value) > max_len:
            problems.append(f"must be less than {max_len + 1} characters [json-pointer:{ptr}]")
        if len(value) < min_len:
            problems.append(f"must be more than {min_len - 1} characters [json-pointer:{ptr}]")

    def _text(self, obj: Any, ptr: str, problems: list[str], max_len: int | None, plain_only: bool = False) -> None:
        if obj is None:
            problems.append(f"missing required field: {ptr.rsplit('/', 1)[-1]} [json-pointer:{ptr.rsplit('/', 1)[0]}]")
            return
        if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
            problems.append(f"must be a text object [json-pointer:{ptr}]")
            return
        if plain_only and obj["type"] != "plain_text":
            problems.append(f"must be a plain_text object [json-pointer:{ptr}/type]")
        if "text" not in obj:
            problems.append(f"missing required field: text [json-pointer:{ptr}]")
            return
        self._string(obj["text"], f"{ptr}/text", problems, max_len, min_len=1)

    def _array(self, value: Any, ptr: str, problems: list[str], max_items: int | None, min_items: int = 0) -> list[Any]:
        if not isinstance(value, list):
            problems.append(f"must be an array [json-pointer:{ptr}]")
            return []
        if max_items is not None and len(value) > max_items:
            problems.append(f"no more than {max_items} items allowed [json-pointer:{ptr}]")
        if len(value) < min_items:
            problems.append(f"must provide at least {min_items} items [json-pointer:{ptr}]")
        return value

    def _blocks(self, blocks: Any, ptr: str, max_blocks: int, problems: list[str]) -> None:
        items = self._array(blocks, ptr, problems, max_blocks)
        seen: dict[str, int] = {}
        for i, block in enumerate(items):
            bptr = f"{ptr}/{i}"
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                problems.append(f"missing required field: type [json-pointer:{bptr}]")
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                self._string(block_id, f"{bptr}/block_id", problems, self.limit("Block.block_id_max_length"))
                if isinstance(block_id, str):
                    if block_id in seen:
                        problems.append(f"duplicate block_id `{block_id}` [json-pointer:{bptr}/block_id]")
                    seen[block_id] = i
            self._block(block, bptr, problems)

    def _block(self, block: JSON, ptr: str, problems: list[str]) -> None:
        kind = block["type"]
        if kind == "section":
            if block.get("text") is None and block.get("fields") is None:
                problems.append(f"must provide either text or fields [json-pointer:{ptr}]")
            if block.get("text") is not None:
                self._text(block["text"], f"{ptr}/text", problems, self.limit("SectionBlock.text_max_length"))
            if block.get("fields") is not None:
                fields = self._array(
                    block["fields"], f"{ptr}/fields", problems, self.limit("SectionBlock.fields_max_length")
                )
                for j, item in enumerate(fields):
                    self._text(item, f"{ptr}/fields/{j}", problems, None)
            if block.get("accessory") is not None:
                self._element(block["accessory"], f"{ptr}/accessory", problems)
        elif kind == "header":
            self._text(block.get("text"), f"{ptr}/text", problems, self.limit("HeaderBlock.text_max_length"), True)
        elif kind == "context":
            limit = self.limit("ContextBlock.elements_max_length")
            for j, element in enumerate(self._array(block.get("elements"), f"{ptr}/elements", problems, limit, 1)):
                if isinstance(element, dict) and element.get("type") == "image":
                    self._image(element, f"{ptr}/elements/{j}", problems, "ImageElement")
                else:
                    self._text(element, f"{ptr}/elements/{j}", problems, None)
        elif kind == "actions":
            limit = self.limit("ActionsBlock.elements_max_length")
            for j, element in enumerate(self._array(block.get("elements"), f"{ptr}/elements", problems, limit, 1)):
                self._element(element, f"{ptr}/elements/{j}", problems)
        elif kind == "input":
            self._text(block.get("label"), f"{ptr}/label", problems, self.limit("InputBlock.label_max_length"), True)
            if block.get("hint") is not None:
                self._text(block["hint"], f"{ptr}/hint", problems, self.limit("InputBlock.hint_max_length"), True)
            if block.get("element") is None:
                problems.append(f"missing required field: element [json-pointer:{ptr}]")
            else:
                self._element(block["element"], f"{ptr}/element", problems)
        elif kind == "image":
            self._image(block, ptr, problems, "ImageBlock")
            if block.get("title") is not None:
                self._text(block["title"], f"{ptr}/title", problems, self.limit("ImageBlock.title_max_length"), True)
        elif kind == "markdown":
            self._string(block.get("text"), f"{ptr}/text", problems, self.limit("MarkdownBlock.text_max_length"), 1)
        elif kind == "video":
            if block.get("title") is not None:
                self._text(block["title"], f"{ptr}/title", problems, self.limit("VideoBlock.title_max_length"), True)
            if block.get("author_name") is not None:
                self._string(
                    block["author_name"],
                    f"{ptr}/author_name",
                    problems,
                    self.limit("VideoBlock.author_name_max_length"),
                )
        # divider, rich_text, file, table and newer blocks: no limits in the contract, so no checks.
        action_ids: set[str] = set()
        for j, element in enumerate(block_elements(block)):
            action_id = element.get("action_id")
            if isinstance(action_id, str):
                if action_id in action_ids:
                    # docs: action_id "should be unique among all other action_ids in the containing block".
                    problems.append(f"duplicate action_id `{action_id}` [json-pointer:{ptr}/elements/{j}/action_id]")
                action_ids.add(action_id)

    def _image(self, image: JSON, ptr: str, problems: list[str], cls: str) -> None:
        self._string(image.get("alt_text"), f"{ptr}/alt_text", problems, self.limit(f"{cls}.alt_text_max_length"))
        if "image_url" in image:
            self._string(image["image_url"], f"{ptr}/image_url", problems, self.limit(f"{cls}.image_url_max_length"))
        elif "slack_file" not in image:
            problems.append(f"missing required field: image_url [json-pointer:{ptr}]")
        else:
            # docs.slack.dev "Slack file object": "you must provide either the URL or ID ... If both are provided
            # then the payload will be rejected. Currently only png, jpg, jpeg, and gif Slack image files".
            ref = image["slack_file"]
            if not isinstance(ref, dict) or ("id" in ref) == ("url" in ref):
                problems.append(f"slack_file must have exactly one of id or url [json-pointer:{ptr}/slack_file]")
            elif self.slack_file_problem is not None:
                problem = self.slack_file_problem(ref)
                if problem:
                    problems.append(f"{problem} [json-pointer:{ptr}/slack_file]")

    def _element(self, element: Any, ptr: str, problems: list[str]) -> None:
        if not isinstance(element, dict) or not isinstance(element.get("type"), str):
            problems.append(f"missing required field: type [json-pointer:{ptr}]")
            return
        kind = element["type"]
        if kind == "image":
            self._image(element, ptr, problems, "ImageElement")
            return
        if element.get("action_id") is not None:
            limit = self.limit("InteractiveElement.action_id_max_length")
            self._string(element["action_id"], f"{ptr}/action_id", problems, limit)
        if kind in _PLACEHOLDER_TYPES and element.get("placeholder") is not None:
            limit = self.limit("InputInteractiveElement.placeholder_max_length")
            self._text(element["placeholder"], f"{ptr}/placeholder", problems, limit, True)
        if element.get("confirm") is not None:
            self._confirm(element["confirm"], f"{ptr}/confirm", problems)
        if kind == "button":
            self._text(element.get("text"), f"{ptr}/text", problems, self.limit("ButtonElement.text_max_length"), True)
            if "value" in element:
                self._string(element["value"], f"{ptr}/value", problems, self.limit("ButtonElement.value_max_length"))
            if "url" in element:
                self._string(element["url"], f"{ptr}/url", problems, self.limit("ButtonElement.url_max_length"))
        elif kind in _OPTION_TYPES:
            self._options_element(element, ptr, problems)

    def _options_element(self, element: JSON, ptr: str, problems: list[str]) -> None:
        kind = element["type"]
        if kind == "overflow":
            max_options = self.limit("OverflowMenuElement.options_max_length")
            min_options = self.limit("OverflowMenuElement.options_min_length")
        else:
            max_options = self.limit("StaticSelectElement.options_max_length")
            min_options = 1
        has_groups = kind in ("static_select", "multi_static_select") and "option_groups" in element
        if has_groups:
            if "options" in element:
                problems.append(f"must provide either options or option_groups, not both [json-pointer:{ptr}]")
            limit = self.limit("StaticSelectElement.option_groups_max_length")
            for g, group in enumerate(
                self._array(element["option_groups"], f"{ptr}/option_groups", problems, limit, 1)
            ):
                gptr = f"{ptr}/option_groups/{g}"
                if not isinstance(group, dict):
                    problems.append(f"must be an object [json-pointer:{gptr}]")
                    continue
                self._text(
                    group.get("label"), f"{gptr}/label", problems, self.limit("OptionGroup.label_max_length"), True
                )
                limit = self.limit("OptionGroup.options_max_length")
                for j, option in enumerate(self._array(group.get("options"), f"{gptr}/options", problems, limit, 1)):
                    self._option(option, f"{gptr}/options/{j}", problems)
        else:
            options = self._array(element.get("options"), f"{ptr}/options", problems, max_options, min_options)
            for j, option in enumerate(options):
                self._option(option, f"{ptr}/options/{j}", problems)
        # Slack refuses initial options that are not among the options (compared by value and text).
        known = {(o.get("value"), text_of(o.get("text"))) for o in all_options(element)}
        initial = element.get("initial_options") if "initial_options" in element else None
        if "initial_option" in element:
            initial = [element["initial_option"]]
        for j, option in enumerate(initial or []):
            key = (option.get("value"), text_of(option.get("text"))) if isinstance(option, dict) else None
            if key not in known:
                where = f"initial_options/{j}" if "initial_options" in element else "initial_option"
                problems.append(f"initial option must match one of the options [json-pointer:{ptr}/{where}]")

    def _option(self, option: Any, ptr: str, problems: list[str]) -> None:
        if not isinstance(option, dict):
            problems.append(f"must be an object [json-pointer:{ptr}]")
            return
        self._text(option.get("text"), f"{ptr}/text", problems, self.limit("Option.label_max_length"))
        self._string(option.get("value"), f"{ptr}/value", problems, self.limit("Option.value_max_length"))

    def _confirm(self, confirm: Any, ptr: str, problems: list[str]) -> None:
        if not isinstance(confirm, dict):
            problems.append(f"must be an object [json-pointer:{ptr}]")
            return
        for name, plain in (("title", True), ("text", False), ("confirm", True), ("deny", True)):
            limit = self.limit(f"ConfirmObject.{name}_max_length")
            self._text(confirm.get(name), f"{ptr}/{name}", problems, limit, plain)


def normalize_blocks(blocks: Any, new_id: Callable[[int], str]) -> Any:
    """Return a copy of blocks as Slack stores them: block_id/action_id filled in, ``emoji`` on plain text.

    Slack generates short random ids for blocks and elements that have none (e.g. ``"hspI"``,
    ``"maBWU"`` in bolt-python's view_submission fixture); apps see them in payloads.

    Args:
        blocks: A list of blocks (returned unchanged if it is not a list).
        new_id: Generator of random ids, called with the wanted length.

    Returns:
        The normalised deep copy.
    """
    if not isinstance(blocks, list):
        return blocks
    result = copy.deepcopy(blocks)
    for block in result:
        if not isinstance(block, dict):
            continue
        if "block_id" not in block:
            block["block_id"] = new_id(4)
        for element in block_elements(block):
            if element.get("type") in INTERACTIVE_TYPES and "action_id" not in element:
                element["action_id"] = new_id(5)
    _add_emoji(result)
    return result


def _add_emoji(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "plain_text" and isinstance(node.get("text"), str):
            node.setdefault("emoji", True)
        for value in node.values():
            _add_emoji(value)
    elif isinstance(node, list):
        for value in node:
            _add_emoji(value)
