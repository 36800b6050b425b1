"""Read YAML or JSON into plain data plus the file position of every value.

PyYAML composes the node graph (safe loader only: no tags that build objects);
we turn nodes into plain data ourselves so that we can (1) record the line and
column of every value and key, (2) refuse duplicate keys, and (3) bound the work:
aliases are expanded against a node budget, so an alias bomb is refused after a
fixed amount of work instead of exhausting memory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from attrs import frozen

from .errors import Problem, RuleSetError

__all__ = ["MAX_FILE_BYTES", "Located", "PathT", "read_located"]

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_VALUES = 100_000
MAX_NESTING = 64

PathT = tuple[str | int, ...]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"


@frozen
class Mark:
    line: int  # 1-based
    column: int  # 1-based
    inline: bool  # the value sits on one line, so offsets inside it map to columns


@frozen
class Located:
    """A parsed document and where each part of it came from."""

    data: Any
    source: str
    #: The YAML node of every value and key; positions are read from them on demand.
    values: dict[PathT, yaml.Node]
    keys: dict[PathT, yaml.Node]

    def mark(self, path: PathT, *, key: bool = False) -> Mark | None:
        table = self.keys if key else self.values
        while True:
            found = table.get(path)
            if found is not None or not path:
                node = found if found is not None else self.values.get(())
                return _mark(node) if node is not None else None
            path = path[:-1]
            table = self.values

    def problem(self, message: str, path: PathT, *, key: bool = False) -> Problem:
        mark = self.mark(path, key=key)
        return Problem(
            message,
            source=self.source,
            line=mark.line if mark else None,
            column=mark.column if mark else None,
            path=format_path(path),
        )


def format_path(path: PathT) -> str:
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.replace("_", "").isalnum():
            out.append(f".{part}")
        else:
            out.append(f"[{part!r}]")
    return "".join(out)


def _mark(node: yaml.Node) -> Mark:
    start, end = node.start_mark, node.end_mark
    inline = (
        isinstance(node, yaml.ScalarNode)
        and node.style in (None, "", "'", '"')
        and (start.line == end.line)
    )
    offset = 1 if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') else 0
    return Mark(start.line + 1, start.column + 1 + offset, inline)


def _fail(
    source: str, message: str, line: int | None = None, column: int | None = None
) -> RuleSetError:
    return RuleSetError(Problem(message, source=source, line=line, column=column))


def read_located(origin: str | os.PathLike[str] | bytes, source: str | None = None) -> Located:
    """Parse a YAML/JSON file (a path) or text (bytes) with positions; refuse hostile input."""
    if isinstance(origin, bytes):
        raw = origin
        source = source or "<input>"
        if len(raw) > MAX_FILE_BYTES:
            raise _fail(source, f"input is {len(raw)} bytes; the limit is {MAX_FILE_BYTES}")
    else:
        path = Path(origin)
        source = source or str(origin)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise _fail(source, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
            with path.open("rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise _fail(source, f"cannot read file: {exc.strerror or exc}") from None
        if len(raw) > MAX_FILE_BYTES:
            raise _fail(source, f"file is larger than the limit of {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(source, "not UTF-8 text (is this a binary file?)", line, column) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise _fail(source, "NUL character: not a text file", line)
    try:
        # libyaml (0.2.5+) stops at 1000 levels by itself and the builder refuses more
        # than MAX_NESTING; the pure-Python composer would recurse, so check first.
        if _Loader is yaml.SafeLoader:
            _check_nesting(text, source)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"not valid YAML: {exc.problem or exc.context or 'syntax error'}"
        if mark is None:
            raise _fail(source, message) from None
        raise _fail(source, message, mark.line + 1, mark.column + 1) from None
    except (yaml.YAMLError, RecursionError, MemoryError):
        raise _fail(source, "not valid YAML, or nested too deeply") from None
    if node is None:
        raise _fail(source, "the file is empty", 1, 1)
    return _Builder(source).build(node, has_anchors="&" in text)


def _check_nesting(text: str, source: str) -> None:
    # A cheap event pass first: the composer would otherwise build a 10,000-deep tree
    # before our own depth check sees it.
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                mark = event.start_mark
                raise _fail(
                    source,
                    f"nested deeper than {MAX_NESTING} levels",
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                )
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1


def _expanded_size(root: yaml.Node) -> int:
    """Number of values once aliases are expanded, computed on the shared node graph.

    Only collections can multiply work; each is sized once (post-order, no recursion).
    """
    sizes: dict[int, int] = {}
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        if id(node) in sizes:
            stack.pop()
            continue
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
            if isinstance(node, yaml.SequenceNode)
            else ()
        )
        pending = [c for c in children if not isinstance(c, yaml.ScalarNode) and id(c) not in sizes]
        if pending:
            stack.extend(pending)
            continue
        sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
        stack.pop()
    return sizes[id(root)]


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.values: dict[PathT, yaml.Node] = {}
        self.keys: dict[PathT, yaml.Node] = {}
        self.budget = MAX_VALUES

    def fail(self, message: str, node: yaml.Node, path: PathT = ()) -> RuleSetError:
        mark = _mark(node)
        return RuleSetError(
            Problem(
                message,
                source=self.source,
                line=mark.line,
                column=mark.column,
                path=format_path(path),
            )
        )

    def build(self, root: yaml.Node, *, has_anchors: bool) -> Located:
        total = _expanded_size(root) if has_anchors else 0
        if total > MAX_VALUES:
            raise self.fail(
                f"document expands to {total} values, more than {MAX_VALUES} (alias bomb?)", root
            )
        data = self.value(root, (), 0)
        return Located(data, self.source, self.values, self.keys)

    def value(self, node: yaml.Node, path: PathT, depth: int) -> Any:
        # Recursion is bounded by MAX_NESTING; aliases are re-walked and paid for.
        self.budget -= 1
        if self.budget < 0:
            raise self.fail(
                f"document expands to more than {MAX_VALUES} values (alias bomb?)", node, path
            )
        if depth > MAX_NESTING:
            raise self.fail(f"nested deeper than {MAX_NESTING} levels", node, path)
        if path not in self.values:
            self.values[path] = node
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail("YAML merge keys ('<<') are not supported", key_node)
                key = self.scalar(key_node, path)
                if not isinstance(key, str):
                    raise self.fail(
                        f"keys must be strings, got {type(key).__name__}", key_node, path
                    )
                if key in out:
                    raise self.fail(f"duplicate key {key!r}", key_node, (*path, key))
                self.keys[(*path, key)] = key_node
                out[key] = self.value(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def scalar(self, node: yaml.Node, path: PathT) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail("expected a plain value here", node, path)
        if node.tag == _STR_TAG:
            return node.value
        try:
            return _constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:
            raise self.fail(f"bad value: {exc}", node, path) from None
        except yaml.YAMLError as exc:
            raise self.fail(f"bad value: {getattr(exc, 'problem', exc)}", node, path) from None
