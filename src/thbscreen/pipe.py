"""Subprocess mode: cases in on stdin, one JSON line out per case, in order.

Tools that cannot import Python drive ``thbscreen screen -`` (or ``refer -``) through a
pipe. Input is JSON Lines (one case per line) or, when the first non-blank character is
``[``, one JSON array of cases. Every input record gets exactly one output line: the
result, or the error with the input line (or array index) it belongs to, so a driver
can match answers to questions without counting. Output is flushed line by line so that
a driver can write one case and wait for its answer.

Errors never echo the case: a malformed line is reported by position and JSON's own
message, a bad case by the path of the bad value (see :class:`CaseDataError`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from attrs import frozen

from .errors import ThbscreenError

__all__ = ["PipeSummary", "error_record", "run_pipe"]

#: What a handler does with one decoded record: the fields of its output line.
Handler = Callable[[Any], dict[str, Any]]


@frozen
class PipeSummary:
    """How many records were read, answered and refused."""

    read: int
    ok: int
    failed: int

    def to_dict(self) -> dict[str, int]:
        return {"read": self.read, "ok": self.ok, "failed": self.failed}


def error_record(exc: ThbscreenError | json.JSONDecodeError | ValueError) -> dict[str, Any]:
    """The ``error`` field of an output line: title, detail and located problems."""
    if isinstance(exc, ThbscreenError):
        return {
            "title": type(exc).__name__,
            "detail": str(exc),
            "errors": [p.to_dict() for p in exc.problems],
        }
    if isinstance(exc, json.JSONDecodeError):
        # Only JSON's message and position: the text around it may be case data.
        return {
            "title": "InvalidJSON",
            "detail": f"not valid JSON: {exc.msg} at column {exc.colno}",
            "errors": [
                {
                    "source": "<stdin>",
                    "line": None,
                    "column": exc.colno,
                    "path": "$",
                    "message": exc.msg,
                }
            ],
        }
    return {"title": "InvalidInput", "detail": str(exc), "errors": []}


def _records(stream: TextIO) -> Iterator[tuple[str, int, str]]:
    """(position key, position, raw JSON text) per record, without reading ahead."""
    first = True
    for number, line in enumerate(stream, 1):
        if first:
            stripped = line.lstrip()
            if not stripped:
                continue
            first = False
            if stripped.startswith("["):
                # A whole JSON document: it cannot be answered before it ends.
                yield "document", number, line + stream.read()
                return
        if line.strip():
            yield "line", number, line


def _document_items(text: str) -> Iterator[tuple[int, Any]] | json.JSONDecodeError:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return exc
    items = data if isinstance(data, list) else [data]
    return iter(enumerate(items, 1))


def run_pipe(stream: TextIO, out: TextIO, handle: Handler) -> PipeSummary:
    """Answer every record on ``stream`` with one JSON line on ``out``."""
    read = ok = failed = 0

    def emit(key: str, position: int, fields: dict[str, Any]) -> None:
        out.write(json.dumps({key: position, **fields}, ensure_ascii=False, sort_keys=False))
        out.write("\n")
        out.flush()

    def answer(key: str, position: int, record: Any) -> None:
        nonlocal ok, failed
        try:
            fields = handle(record)
        except ThbscreenError as exc:
            failed += 1
            emit(key, position, {"error": error_record(exc)})
        else:
            ok += 1
            emit(key, position, fields)

    for kind, position, text in _records(stream):
        if kind == "document":
            items = _document_items(text)
            if isinstance(items, json.JSONDecodeError):
                read += 1
                failed += 1
                emit("line", items.lineno + position - 1, {"error": error_record(items)})
                continue
            for index, record in items:
                read += 1
                answer("index", index, record)
            continue
        read += 1
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            failed += 1
            emit("line", position, {"error": error_record(exc)})
            continue
        answer("line", position, record)
    return PipeSummary(read, ok, failed)
