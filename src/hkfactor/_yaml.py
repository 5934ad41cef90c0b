"""Strict YAML: the one way hkfactor reads a YAML file or text.

PyYAML's ``safe_load`` is safe against code execution but not against being *silently wrong*
or *exhausted*:

* a repeated key (``direction: 1`` … ``direction: -1``) keeps the last value without a word —
  a benefit indicator silently becomes a cost one;
* anchors and aliases let a 3 kB file expand into gigabytes ("billion laughs");
* deep nesting raises :class:`RecursionError`, a huge file exhausts memory.

:func:`load_yaml` parses with a :class:`yaml.SafeLoader` subclass that rejects duplicate keys
(naming both lines), refuses anchors, aliases and merge keys, caps the nesting depth and the
input size, and turns every failure — syntax, encoding, :class:`RecursionError`,
:class:`MemoryError` — into one :class:`~hkfactor.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node

from hkfactor.errors import InputError, Problem

__all__ = ["MAX_YAML_BYTES", "MAX_YAML_DEPTH", "load_yaml"]

#: Largest YAML input accepted (bytes). Frameworks and recipes are a few kB.
MAX_YAML_BYTES = 2_000_000
#: Deepest nesting of mappings/sequences accepted.
MAX_YAML_DEPTH = 64


_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


class _Refused(yaml.MarkedYAMLError):
    """A construct the strict loader refuses (alias, anchor, duplicate key, depth)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, anchors, merge keys or duplicate keys, with a depth cap."""

    max_depth = MAX_YAML_DEPTH

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(f"aliases (*{event.anchor}) are not allowed; write the value out", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused(f"anchors (&{event.anchor}) are not allowed; write the value out", event.start_mark)
        nests = isinstance(event, MappingStartEvent | SequenceStartEvent)
        if nests:
            self._depth += 1
            if self._depth > self.max_depth:
                raise _Refused(f"nested deeper than {self.max_depth} levels", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if nests:
                self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node.tag not in _PLAIN_TAGS:
            raise _Refused(f"tag {node.tag!r} is not plain data (text, number, true/false, "
                           "null, date, list or mapping); remove it", node.start_mark)
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # e.g. a date 2020-13-45
            raise _Refused(f"cannot read value {getattr(node, 'value', '')!r}: {exc}", node.start_mark) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise _Refused(f"expected a mapping, found {node.id}", node.start_mark)
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("merge keys (<<) are not allowed; write the keys out", key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                raise _Refused("a mapping key must be a plain value, not a list or mapping",
                               key_node.start_mark) from None
            if first is not None:
                raise _Refused(f"duplicate key {key!r} (first at line {first.start_mark.line + 1}); "
                    "each key may appear once — the later value would silently replace the earlier",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _problem(name: str, line: int | None, message: str) -> InputError:
    return InputError([Problem(name, None, None, message, line=line)], title="invalid YAML")


def load_yaml(
    source: str | bytes | os.PathLike[str],
    *,
    file: str | None = None,
    max_bytes: int = MAX_YAML_BYTES,
    max_depth: int = MAX_YAML_DEPTH,
) -> Any:
    """Parse one YAML document strictly.

    Parameters
    ----------
    source : str, bytes or path-like
        A :class:`~pathlib.Path` (or other path-like) is read as a UTF-8 file (a byte-order
        mark is allowed); ``bytes`` are decoded as UTF-8; a ``str`` is the YAML text itself.
    file : str, optional, keyword-only
        Name used in error messages (default: the path, or ``"<yaml text>"``).
    max_bytes : int, keyword-only
        Larger inputs are refused before parsing (default :data:`MAX_YAML_BYTES`).
    max_depth : int, keyword-only
        Deeper nesting is refused (default :data:`MAX_YAML_DEPTH`).

    Returns
    -------
    object
        The document (``dict``, ``list``, scalar), or ``None`` for an empty document.

    Raises
    ------
    InputError
        One problem naming the file and (where known) the line: unreadable or missing file,
        not UTF-8, too large, syntax error, duplicate key, alias/anchor/merge key, too deep,
        a tag that is not plain data. Never :class:`RecursionError` or :class:`MemoryError`.

    Examples
    --------
    >>> load_yaml("a: 1\\nb: [x, y]\\n")
    {'a': 1, 'b': ['x', 'y']}
    >>> load_yaml("direction: 1\\ndirection: -1\\n", file="fw.yaml")
    Traceback (most recent call last):
    ...
    hkfactor.errors.InputError: invalid YAML: 1 problem(s)
      - fw.yaml, line 2: duplicate key 'direction' (first at line 1); each key may appear once — the later value would silently replace the earlier
    """
    if isinstance(source, str):
        name = file or "<yaml text>"
        text = source
        if len(text) > max_bytes:
            raise _problem(name, None, f"YAML text is larger than {max_bytes} characters; refused")
    else:
        if isinstance(source, bytes):
            name = file or "<yaml bytes>"
            raw = source
        else:
            p = Path(source)
            name = file or str(p)
            try:
                if p.is_dir():
                    raise _problem(name, None, "is a folder, not a YAML file")
                size = p.stat().st_size
                if size > max_bytes:
                    raise _problem(name, None, f"file is {size} bytes, larger than the {max_bytes} accepted; refused")
                raw = p.read_bytes()
            except FileNotFoundError:
                raise _problem(name, None, "file not found") from None
            except OSError as exc:
                raise _problem(name, None, f"cannot read file: {exc.strerror or exc}") from None
        if len(raw) > max_bytes:
            raise _problem(name, None, f"input is larger than {max_bytes} bytes; refused")
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_line = raw[: exc.start].count(b"\n") + 1
            raise _problem(name, bad_line, f"not UTF-8 text (undecodable byte at offset {exc.start}); save the file as UTF-8") from None
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)
        loader.max_depth = max_depth
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x) or "invalid YAML"
        raise _problem(name, mark.line + 1 if mark is not None else None, what) from None
    except yaml.YAMLError as exc:  # ReaderError: control characters, etc.
        pos = getattr(exc, "position", None)
        at: int | None = text[:pos].count("\n") + 1 if isinstance(pos, int) else None
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise _problem(name, at, f"cannot read YAML: {reason}") from None
    except RecursionError:
        raise _problem(name, None, "nested too deeply to read") from None
    except MemoryError:
        raise _problem(name, None, "too large to read (out of memory)") from None
    finally:
        if loader is not None:
            loader.dispose()
