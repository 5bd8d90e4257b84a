"""Read a campaigns YAML file keeping the line of every value, for errors that name it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.errors import EngageError


@dataclass
class Located:
    """One entry: its values by dotted path (`pitch.en`) and the line each was written on."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


def locate(text: str, source: str) -> list[Located]:
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as broken:
        mark = broken.problem_mark or broken.context_mark
        line = mark.line + 1 if mark else 1
        raise EngageError(f"{source}:{line}: not valid YAML: {broken.problem}") from None
    except yaml.YAMLError as broken:
        raise EngageError(f"{source}: not valid YAML: {_first_line(broken)}") from None
    if root is None:
        return []
    entries = _campaign_nodes(root, source)
    return [_entry(node, source) for node in entries]


def _campaign_nodes(root: yaml.Node, source: str) -> list[yaml.Node]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "campaigns" and isinstance(value, yaml.SequenceNode):
                return list(value.value)
            if key.value == "campaigns" and _is_null(value):
                return []
    line = root.start_mark.line + 1
    raise EngageError(f"{source}:{line}: campaigns: expected a list under `campaigns:`")


def _entry(node: yaml.Node, source: str) -> Located:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise EngageError(f"{source}:{line}: expected a campaign (community, name, pitch, …)")
    located = Located(line)
    _walk(node, "", located, source)
    return located


def _walk(node: yaml.MappingNode, prefix: str, located: Located, source: str) -> None:
    for key, value in node.value:
        path = f"{prefix}{key.value}"
        located.lines[path] = value.start_mark.line + 1
        if isinstance(value, yaml.MappingNode) and not prefix:
            _walk(value, f"{path}.", located, source)
        else:
            located.values[path] = _construct(value, f"{source}:{located.lines[path]}: {path}")


def _construct(node: yaml.Node, place: str) -> Any:
    """The value, or the text as written when YAML's own reading of it fails (2026-02-30 is
    then a date that the field's check refuses, with its line)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError):
        if isinstance(node, yaml.ScalarNode):
            return node.value
        raise EngageError(f"{place}: not a valid value") from None
    except yaml.YAMLError as broken:
        raise EngageError(f"{place}: not valid YAML: {_first_line(broken)}") from None
    finally:
        loader.dispose()


def _first_line(error: yaml.YAMLError) -> str:
    text = str(getattr(error, "problem", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")
