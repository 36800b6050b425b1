"""Batch screening of CSV, JSON Lines and Parquet files, streamed in record batches.

``screen_file(input, rules, output)`` reads the input in batches (so memory stays flat
whatever the file's size), checks every value, screens the good rows and writes one
output row per good input row; every other row goes to the rejects file with its row
number and the reason. Both files are written to temporary files beside their final
names and renamed only when the run completes, so an interrupted run never leaves a
half-written file under the final name. See ``docs/howto/batch-screening.md``.

Needs the ``batch`` extra (numpy, pyarrow); ``import thbscreen`` never imports this.
"""

from __future__ import annotations

import abc
import contextlib
import csv
import datetime as _dt
import hashlib
import io
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]

from .._facts import MAX_FACT, MAX_STRING
from .._language.suggest import did_you_mean
from ..errors import Problem, ThbscreenError
from ..model import Fact, FactType, RuleSet
from ..screening import Screener
from ._arrays import from_numpy, strings
from .bits import FIRED, UNKNOWN, joined_ids, row_bytes

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FORMATS",
    "BatchError",
    "BatchSummary",
    "bits_to_ids",
    "default_rejects_path",
    "empty_table",
    "file_format",
    "output_columns",
    "screen_file",
]

#: Rows per record batch (CSV and JSON Lines batches are sized from it approximately).
DEFAULT_BATCH_SIZE = 131_072
#: File suffix -> format.
FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
LISTS = ("ids", "bits")
STATUS = ("negative", "undetermined", "positive")
REJECT_COLUMNS = ("row", "id", "column", "reason")
_OBS = ("absent", "present", "unknown")
_INDICATOR_WORDS = {
    "absent": 0,
    "present": 1,
    "unknown": 2,
    "false": 0,
    "true": 1,
    "": 2,
    "null": 2,
}
_BAD = 255
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_INT_TEXT = re.compile(r"^\s*[+-]?[0-9]{1,16}\s*$")
_DATE_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_STATE_FORMAT = "thbscreen-batch-resume/1"

BoolArray = npt.NDArray[np.bool_]
U8Array = npt.NDArray[np.uint8]
I64Array = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]


class BatchError(ThbscreenError):
    """A whole-file problem: unreadable input, unknown column, unsupported suffix.

    Problems of single rows never raise: they go to the rejects file.
    """


def _error(message: str, source: str | os.PathLike[str] | None, path: str = "$") -> BatchError:
    return BatchError(Problem(message, source=None if source is None else str(source), path=path))


def file_format(path: str | os.PathLike[str]) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the file's suffix; a :class:`BatchError` otherwise."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        raise _error(
            f"cannot tell the format from the suffix {suffix or '(none)'!r}; use one of {known}",
            path,
        ) from None


def default_rejects_path(output: str | os.PathLike[str]) -> Path:
    """``out.csv`` -> ``out.rejects.csv``: beside the output, in the same format."""
    out = Path(output)
    return out.with_name(f"{out.stem}.rejects{out.suffix}")


@dataclass
class BatchSummary:
    """What a run did. ``read == written + rejected`` always holds."""

    input: str
    output: str
    rejects: str
    ruleset: str
    read: int = 0
    written: int = 0
    rejected: int = 0
    #: Blank lines of CSV and JSON Lines input: not records, skipped.
    blank: int = 0
    seconds: float = 0.0
    #: Rows taken over from an interrupted run (``--resume``); included in the counts.
    resumed: int = 0
    scheduler: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "rejects": self.rejects,
            "ruleset": self.ruleset,
            "read": self.read,
            "written": self.written,
            "rejected": self.rejected,
            "blank": self.blank,
            "resumed": self.resumed,
            "seconds": round(self.seconds, 3),
            "scheduler": self.scheduler,
        }


# -- the rule set's columns ---------------------------------------------------------------


class Layout:
    """Which input columns a rule set reads, and the output columns it writes."""

    def __init__(self, screener: Screener, lists: str = "ids") -> None:
        if lists not in LISTS:
            raise ValueError(f"lists must be one of {LISTS}, got {lists!r}")
        rs = screener.ruleset
        self.screener = screener
        self.ruleset: RuleSet = rs
        self.lists = lists
        self.indicators: tuple[str, ...] = tuple(ind.id for ind in rs.indicators)
        self.facts: dict[str, Fact] = {f.id: f for f in rs.facts}
        self.dimensions: tuple[str, ...] = tuple(d.id for d in rs.dimensions)
        self.bands: tuple[str, ...] = (
            *(b.id for b in rs.outcomes.bands),
            rs.outcomes.fallback.id,
        )
        self.known = frozenset({"id", *self.indicators, *self.facts})
        self.ruleset_name = f"{rs.id} {rs.version}"
        self.fact_index = {f.id: j for j, f in enumerate(rs.facts)}
        self._columnar: Any = None

    def columnar(self) -> Any:
        """The rule set compiled to vector code (once)."""
        if self._columnar is None:
            from .columnar import ColumnarEvaluator

            self._columnar = ColumnarEvaluator(self.screener)
        return self._columnar

    def band_remap(self, band_ids: Sequence[str]) -> npt.NDArray[np.int8]:
        """Positions in ``self.bands`` of the evaluator's band ids."""
        return np.array([self.bands.index(b) for b in band_ids], dtype=np.int8)

    def slot_to_file(self, slot_ids: Sequence[str]) -> npt.NDArray[np.intp]:
        """For each indicator in file order, its row in the evaluator's slot order."""
        where = {ind: i for i, ind in enumerate(slot_ids)}
        return np.array([where[ind] for ind in self.indicators], dtype=np.intp)

    def check_columns(
        self, names: Sequence[str], source: str, ignore: Sequence[str] = ()
    ) -> list[str]:
        """The columns to read; raises on duplicates and unknown columns (a file error)."""
        seen: set[str] = set()
        keep = []
        for i, name in enumerate(names):
            if name in seen:
                raise _error(f"column {name!r} appears twice", source, f"$.columns[{i}]")
            seen.add(name)
            if name in ignore:
                continue
            if name not in self.known:
                hint = did_you_mean(name, self.known)
                raise _error(
                    f"unknown column {name!r}{hint}: not an indicator or fact of "
                    f"{self.ruleset_name}, nor id (leave it out of the file or pass "
                    "--ignore-column)",
                    source,
                    f"$.columns[{i}]",
                )
            keep.append(name)
        return keep

    def schema(self, fmt: str) -> Any:
        strings = pa.dictionary(pa.int8(), pa.string()) if fmt == "parquet" else pa.string()
        lists = pa.string()
        if self.lists == "bits" and fmt == "parquet":
            lists = pa.binary((len(self.indicators) + 7) // 8)
        fields = [
            pa.field("id", pa.string()),
            pa.field("row", pa.int64(), nullable=False),
            pa.field("outcome", strings),
            pa.field("outcome_low", strings),
            pa.field("outcome_high", strings),
            pa.field("determined", pa.bool_()),
            pa.field("score", pa.float64()),
            pa.field("score_min", pa.float64()),
            pa.field("score_max", pa.float64()),
            *(pa.field(f"dimension.{d}", strings) for d in self.dimensions),
            pa.field("fired", lists),
            pa.field("unknown", lists),
        ]
        return pa.schema(fields)


def output_columns(ruleset: RuleSet) -> list[str]:
    """The output columns for a rule set, in order (``id`` first)."""
    return [
        "id",
        "row",
        "outcome",
        "outcome_low",
        "outcome_high",
        "determined",
        "score",
        "score_min",
        "score_max",
        *(f"dimension.{d.id}" for d in ruleset.dimensions),
        "fired",
        "unknown",
    ]


def reject_schema() -> Any:
    return pa.schema(
        [
            pa.field("row", pa.int64(), nullable=False),
            pa.field("id", pa.string()),
            pa.field("column", pa.string()),
            pa.field("reason", pa.string(), nullable=False),
        ]
    )


def bits_to_ids(value: str | bytes | None, ruleset: RuleSet) -> list[str]:
    """The indicator ids of a ``fired`` or ``unknown`` value written with ``lists="bits"``.

    The value is ``ceil(k / 8)`` bytes for ``k`` indicators (raw bytes in Parquet,
    hexadecimal text in CSV and JSON Lines), least significant bit first: bit ``i`` of
    ``int.from_bytes(value, "little")`` is the ``i``-th indicator in the rule-set file.
    """
    if not value:
        return []
    raw = bytes.fromhex(value) if isinstance(value, str) else bytes(value)
    mask = int.from_bytes(raw, "little")
    return [ind.id for i, ind in enumerate(ruleset.indicators) if mask >> i & 1]


# -- reading --------------------------------------------------------------------------


@dataclass
class Batch:
    """Some consecutive records of the input.

    ``columns`` hold the records that were read (``rows`` their row numbers);
    ``rejects`` the records that could not even be read (a malformed CSV line, a JSON
    Lines line that is not an object), as ``(row, column, reason)``.
    """

    columns: dict[str, Any]
    rows: I64Array
    rejects: list[tuple[int, str | None, str]] = field(default_factory=list)
    blank: int = 0
    #: Extra per-record problems found while reading (JSON Lines keys), as (mask, column, reason).
    problems: list[tuple[BoolArray, str, str]] = field(default_factory=list)
    #: Where the reader is in the input (bytes or rows), for progress.
    position: int = 0

    @property
    def n(self) -> int:
        return len(self.rows)


class _Source(abc.ABC):
    """An open input file, read as batches."""

    fmt: str
    total: int  # progress total (bytes or rows)
    names: list[str]

    @abc.abstractmethod
    def batches(self) -> Iterator[Batch]:
        """The file's records, batch by batch, in input order."""

    def close(self) -> None:  # noqa: B027 - most readers hold nothing to release
        """Release the file; readers that keep it open override this."""


def open_source(
    path: str | os.PathLike[str],
    layout: Layout,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    ignore: Sequence[str] = (),
    part: Part | None = None,
) -> _Source:
    fmt = file_format(path)
    if not os.path.exists(path):
        raise _error("no such file", path)
    if os.path.isdir(path):
        raise _error("is a folder, not a file", path)
    if fmt == "csv":
        return _CsvSource(path, layout, batch_size, ignore, part)
    if fmt == "jsonl":
        return _JsonlSource(path, layout, batch_size, ignore, part)
    return _ParquetSource(path, layout, batch_size, ignore, part)


@dataclass(frozen=True)
class Part:
    """A piece of an input file: a byte range starting on a line (CSV, JSON Lines) or
    a set of row groups (Parquet); ``first_row`` is the row number of its first record."""

    start: int
    end: int
    first_row: int
    row_groups: tuple[int, ...] = ()


def _read_header(path: str | os.PathLike[str]) -> tuple[list[str], int]:
    """The CSV header's names and its length in bytes."""
    with open(path, "rb") as fh:
        line = fh.readline()
    text = line.decode("utf-8-sig", errors="replace")
    names = next(csv.reader([text.rstrip("\r\n")]), [])
    if not names or names == [""]:
        raise _error("the file is empty or has no header line", path, "$.header")
    return [n.strip() for n in names], len(line)


class _CsvSource(_Source):
    def __init__(
        self,
        path: str | os.PathLike[str],
        layout: Layout,
        batch_size: int,
        ignore: Sequence[str],
        part: Part | None,
    ) -> None:
        self.fmt = "csv"
        self.path = str(path)
        self.layout = layout
        self.names, header_bytes = _read_header(path)
        self.keep = layout.check_columns(self.names, self.path, ignore)
        size = os.path.getsize(path)
        self.part = part
        start = header_bytes if part is None else max(part.start, header_bytes)
        end = size if part is None else part.end
        self.start, self.end = start, end
        self.total = end - start
        # Batches come from blocks of bytes: size them from the first lines.
        with open(path, "rb") as fh:
            fh.seek(start)
            sample = fh.read(min(1 << 16, max(end - start, 0)))
        lines = max(sample.count(b"\n"), 1)
        per_line = max(len(sample) // lines, 1)
        self.block_size = int(min(max(batch_size * per_line, 1 << 16), 1 << 28))
        self.first_line = 1 if part is None else part.first_row  # rows count lines after the header
        self._fh: Any = None

    def batches(self) -> Iterator[Batch]:
        if self.end <= self.start:  # a header and nothing else
            return
        invalid: dict[int, tuple[int, int]] = {}
        unnumbered: list[tuple[int, int]] = []
        base = self.first_line  # row of the first line of the range

        def handler(row: Any) -> str:
            if (
                row.number is None or row.number < 0
            ):  # pragma: no cover - single-threaded reads number rows
                unnumbered.append((row.expected_columns, row.actual_columns))
            else:
                invalid[base + row.number - 1] = (row.expected_columns, row.actual_columns)
            return "skip"

        if self.part is None:
            raw: Any = open(self.path, "rb")  # noqa: SIM115 - closed in close()
            raw.seek(self.start)
        else:
            with open(self.path, "rb") as fh:
                fh.seek(self.start)
                raw = io.BytesIO(fh.read(self.end - self.start))
        self._fh = raw
        try:
            reader = pacsv.open_csv(
                raw,
                read_options=pacsv.ReadOptions(
                    use_threads=False,
                    block_size=self.block_size,
                    column_names=self.names,
                ),
                parse_options=pacsv.ParseOptions(
                    invalid_row_handler=handler,
                    ignore_empty_lines=False,
                    newlines_in_values=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(self.names, pa.string()),
                    include_columns=self.keep,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, OSError) as exc:
            raise _error(f"cannot read the file as CSV ({_short(exc)})", self.path) from None
        next_row = base
        try:
            while True:
                try:
                    rb = reader.read_next_batch()
                except StopIteration:
                    break
                except (pa.ArrowInvalid, OSError) as exc:
                    raise _error(
                        f"cannot read the file as CSV ({_short(exc)})", self.path
                    ) from None
                if unnumbered:  # pragma: no cover
                    raise _error("a malformed line could not be located", self.path)
                m = rb.num_rows
                rows, bad, next_row = _assign_rows(next_row, m, invalid)
                batch = _csv_batch(rb, self.keep, rows)
                batch.rejects.extend(
                    (r, None, f"expected {invalid[r][0]} fields, found {invalid.pop(r)[1]}")
                    for r in bad
                )
                batch.position = min(raw.tell(), self.end) - self.start
                yield batch
            if invalid:  # malformed lines after the last good one
                rows_left = sorted(invalid)
                yield Batch(
                    {name: pa.array([], pa.string()) for name in self.keep},
                    np.zeros(0, np.int64),
                    [
                        (r, None, f"expected {invalid[r][0]} fields, found {invalid[r][1]}")
                        for r in rows_left
                    ],
                    position=self.total,
                )
                invalid.clear()
        finally:
            self.close()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _assign_rows(
    start: int, m: int, invalid: Mapping[int, object]
) -> tuple[I64Array, list[int], int]:
    """Row numbers of ``m`` good records from ``start``, skipping the malformed lines."""
    if not invalid:
        return np.arange(start, start + m, dtype=np.int64), [], start + m
    end = start + m
    while True:
        bad = sorted(r for r in invalid if start <= r < end)
        if start + m + len(bad) == end:
            break
        end = start + m + len(bad)
    rows = np.setdiff1d(np.arange(start, end, dtype=np.int64), np.array(bad, dtype=np.int64))
    return rows, bad, end


def _csv_batch(rb: Any, keep: Sequence[str], rows: I64Array) -> Batch:
    columns = {name: rb.column(i) for i, name in enumerate(rb.schema.names) if name in keep}
    if not columns or rb.num_rows == 0:
        return Batch(columns, rows)
    arrays = list(columns.values())
    blank = pc.equal(arrays[0], "")
    for arr in arrays[1:]:
        blank = pc.and_(blank, pc.equal(arr, ""))
    blank_np = np.asarray(blank.to_numpy(zero_copy_only=False), dtype=np.bool_)
    if not blank_np.any():
        return Batch(columns, rows)
    keep_mask = pa.array(~blank_np)
    columns = {k: pc.filter(v, keep_mask) for k, v in columns.items()}
    return Batch(columns, rows[~blank_np], blank=int(blank_np.sum()))


class _JsonlSource(_Source):
    def __init__(
        self,
        path: str | os.PathLike[str],
        layout: Layout,
        batch_size: int,
        ignore: Sequence[str],
        part: Part | None,
    ) -> None:
        self.fmt = "jsonl"
        self.path = str(path)
        self.layout = layout
        self.batch_size = batch_size
        self.ignore = frozenset(ignore)
        self.known = layout.known
        self.names = sorted(layout.known)
        size = os.path.getsize(path)
        self.start = 0 if part is None else part.start
        self.end = size if part is None else part.end
        self.first_line = 1 if part is None else part.first_row
        self.total = self.end - self.start

    def batches(self) -> Iterator[Batch]:
        line_no = self.first_line
        with open(self.path, "rb") as fh:
            fh.seek(self.start)
            pos = self.start
            done = False
            while not done:
                records: list[dict[str, Any]] = []
                rows: list[int] = []
                rejects: list[tuple[int, str | None, str]] = []
                unknown: list[tuple[int, str]] = []
                blank = 0
                while len(records) + len(rejects) < self.batch_size:
                    if pos >= self.end:
                        done = True
                        break
                    line = fh.readline()
                    if not line:
                        done = True
                        break
                    pos += len(line)
                    row = line_no
                    line_no += 1
                    if not line.strip():
                        blank += 1
                        continue
                    try:
                        value = json.loads(line)
                    except (ValueError, RecursionError):
                        rejects.append((row, None, "not valid JSON"))
                        continue
                    if not isinstance(value, dict):
                        rejects.append((row, None, "not a JSON object"))
                        continue
                    extra = [k for k in value if k not in self.known and k not in self.ignore]
                    if extra:
                        hint = did_you_mean(extra[0], self.known)
                        unknown.append((len(records), f"unknown column {extra[0]!r}{hint}"))
                    records.append(value)
                    rows.append(row)
                if not records and not rejects and not blank and done:
                    break
                columns = {
                    name: _arrow_from_values([r.get(name) for r in records])
                    for name in self.known
                    if any(name in r for r in records)
                }
                batch = Batch(
                    columns,
                    np.array(rows, dtype=np.int64),
                    rejects,
                    blank=blank,
                    position=pos - self.start,
                )
                for i, reason in unknown:
                    mask = np.zeros(len(records), np.bool_)
                    mask[i] = True
                    batch.problems.append((mask, reason.split("'")[1], reason))
                yield batch


def _arrow_from_values(values: list[Any]) -> Any:
    """An Arrow array of Python values; mixed types become their JSON text."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
        arr = None
    if arr is None or pa.types.is_nested(arr.type):
        texts = [
            None
            if v is None or (isinstance(v, float) and math.isnan(v))
            else v
            if isinstance(v, str)
            else json.dumps(v, default=str)
            if not isinstance(v, dict | list)
            else "\0nested"
            for v in values
        ]
        arr = pa.array(texts, pa.string())
    return arr


class _ParquetSource(_Source):
    def __init__(
        self,
        path: str | os.PathLike[str],
        layout: Layout,
        batch_size: int,
        ignore: Sequence[str],
        part: Part | None,
    ) -> None:
        self.fmt = "parquet"
        self.path = str(path)
        try:
            meta_file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise _error(f"cannot read the file as Parquet ({_short(exc)})", path) from None
        schema = meta_file.schema_arrow
        index_columns: list[str] = []
        raw_meta = (schema.metadata or {}).get(b"pandas")
        try:
            pandas_meta = json.loads(raw_meta) if raw_meta else {}
        except ValueError:
            pandas_meta = {}
        for col in pandas_meta.get("index_columns", []) if isinstance(pandas_meta, dict) else []:
            if isinstance(col, str):  # a stored pandas index, not data
                index_columns.append(col)
        names = [n for n in schema.names if n not in index_columns]
        self.names = names
        self.keep = layout.check_columns(names, self.path, ignore)
        # Indicator and fact answers repeat, so they are read as dictionaries (codes for
        # a handful of words); ids are unique, and hashing each one would cost as much
        # as reading every indicator column (measured: 0.33 s per million rows).
        strings = [
            n
            for n in self.keep
            if n != "id"
            and (
                pa.types.is_string(schema.field(n).type)
                or pa.types.is_large_string(schema.field(n).type)
            )
        ]
        meta_file.close()
        # pre_buffer would read ahead whole row groups and keep them: memory then grows
        # with the file (measured: 40 MB flat without it, 130 MB and rising with it).
        self.file = pq.ParquetFile(path, read_dictionary=strings, pre_buffer=False)
        self.batch_size = batch_size
        self.part = part
        if part is None:
            self.row_groups = list(range(self.file.num_row_groups))
            self.first_row = 1
        else:
            self.row_groups = list(part.row_groups)
            self.first_row = part.first_row
        md = self.file.metadata
        self.total = sum(md.row_group(g).num_rows for g in self.row_groups)

    def batches(self) -> Iterator[Batch]:
        row = self.first_row
        done = 0
        try:
            if not self.row_groups:
                return
            for rb in self.file.iter_batches(
                batch_size=self.batch_size,
                row_groups=self.row_groups,
                columns=self.keep,
                use_threads=False,
            ):
                m = rb.num_rows
                columns = {name: rb.column(i) for i, name in enumerate(rb.schema.names)}
                done += m
                yield Batch(columns, np.arange(row, row + m, dtype=np.int64), position=done)
                row += m
        except (pa.ArrowInvalid, OSError) as exc:
            raise _error(f"cannot read the file as Parquet ({_short(exc)})", self.path) from None
        finally:
            self.close()

    def close(self) -> None:
        self.file.close()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def plan_parts(
    path: str | os.PathLike[str], layout: Layout, part_bytes: int = 64 << 20
) -> list[Part]:
    """Split an input file into pieces that can be read independently (for dask).

    CSV and JSON Lines split at line ends, about ``part_bytes`` each (lines are counted
    on the way, so each piece knows its first row number); Parquet by row groups.
    """
    fmt = file_format(path)
    if fmt == "parquet":
        md = pq.ParquetFile(path).metadata
        parts: list[Part] = []
        groups: list[int] = []
        rows = 0
        first = 1
        for g in range(md.num_row_groups):
            groups.append(g)
            rows += md.row_group(g).num_rows
            if rows * 64 >= part_bytes or g == md.num_row_groups - 1:
                parts.append(Part(0, 0, first, tuple(groups)))
                first += rows
                groups, rows = [], 0
        return parts or [Part(0, 0, 1, ())]
    size = os.path.getsize(path)
    start = _read_header(path)[1] if fmt == "csv" else 0
    first_row = 1
    parts = []
    with open(path, "rb") as fh:
        fh.seek(start)
        while start < size:
            target = min(start + part_bytes, size)
            fh.seek(target)
            fh.readline()  # to the end of the line
            end = min(fh.tell(), size) if target < size else size
            # Count the lines of the piece.
            fh.seek(start)
            left = end - start
            lines = 0
            while left > 0:
                chunk = fh.read(min(left, 1 << 24))
                if not chunk:
                    break
                lines += chunk.count(b"\n")
                left -= len(chunk)
                last = chunk[-1:]
            if end == size and end > start and last != b"\n":
                lines += 1  # a last line without a line end
            parts.append(Part(start, end, first_row))
            first_row += lines
            start = end
            fh.seek(start)
    return parts or [Part(start, start, 1)]


# -- checking and encoding values ---------------------------------------------------------


def _valid_mask(arr: Any) -> BoolArray:
    if arr.null_count == 0:
        return np.ones(len(arr), np.bool_)
    return np.asarray(pc.is_valid(arr).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _to_bool_np(arr: Any) -> BoolArray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _word_codes(words: Sequence[Any]) -> U8Array:
    out = np.empty(len(words) + 1, np.uint8)
    for i, w in enumerate(words):
        out[i] = _INDICATOR_WORDS.get(w.strip().lower(), _BAD) if isinstance(w, str) else _BAD
    out[len(words)] = 2  # null
    return out


def encode_indicator(arr: Any) -> tuple[U8Array, BoolArray]:
    """Codes (0 absent, 1 present, 2 unknown) and a mask of bad values.

    Accepted: the words present, absent, unknown, true and false in any letter case
    and with spaces around; booleans; empty strings, the word null, nulls and NaN
    (unknown). The same rules as :func:`~thbscreen.batch.columnar.encode_indicator_column`,
    on Arrow arrays without a Python loop.
    """
    n = len(arr)
    t = arr.type
    if pa.types.is_null(t) or arr.null_count == n:
        return np.full(n, 2, np.uint8), np.zeros(n, np.bool_)
    if pa.types.is_boolean(t):
        codes = _to_bool_np(arr).astype(np.uint8)
        codes[~_valid_mask(arr)] = 2
        return codes, np.zeros(n, np.bool_)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        arr = pc.dictionary_encode(arr)
        t = arr.type
    if pa.types.is_dictionary(t) and (
        pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
    ):
        lut = _word_codes(arr.dictionary.to_pylist())
        ind = arr.indices
        if (
            ind.null_count == 0
            and ind.type.bit_width == 8
            and np.array_equal(lut[:-1], np.arange(len(lut) - 1))
        ):
            # absent, present, unknown in this order (sorted, as pandas categoricals
            # are): the indices are the codes already.
            return _indices(ind, 0).view(np.uint8), np.zeros(len(arr), np.bool_)
        codes = np.take(lut, _indices(ind, len(lut) - 1))
        bad = codes == _BAD
        codes[bad] = 2  # rejected anyway; unknown, as the columnar encoder leaves them
        return codes, bad
    if pa.types.is_floating(t):  # NaN is unknown; numbers are not observations
        values = arr.to_numpy(zero_copy_only=False)
        bad = ~np.isnan(values)
        return np.full(n, 2, np.uint8), bad
    return np.full(n, 2, np.uint8), _valid_mask(arr)


def _indices(ind: Any, null: int) -> npt.NDArray[Any]:
    """Dictionary indices as numpy, ``null`` where the value is null (no copy via Python)."""
    n = len(ind)
    off = ind.offset
    width = ind.type.bit_width // 8
    bufs = ind.buffers()
    raw: npt.NDArray[Any] = np.frombuffer(bufs[1], dtype=f"<i{width}", count=n + off)[off:]
    if ind.null_count == 0:
        return raw
    bits = np.frombuffer(bufs[0], np.uint8)
    valid = np.unpackbits(bits, count=n + off, bitorder="little")[off:].view(np.bool_)
    return np.where(valid, raw, null)


@dataclass
class FactColumn:
    """A fact's values: ``values[i]`` holds where ``known[i]`` (dates as ordinals)."""

    values: Any
    known: BoolArray


def _text(arr: Any) -> Any:
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


def _is_text(t: Any) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def read_fact(fact: Fact, arr: Any) -> tuple[FactColumn, list[tuple[BoolArray, str]]]:
    """A fact column checked against its declaration: values and (bad mask, reason) pairs.

    Empty strings, nulls and NaN are unknown; text is parsed (CSV gives only text).
    """
    n = len(arr)
    t = fact.type
    problems: list[tuple[BoolArray, str]] = []
    if _is_text(arr.type):
        arr = _text(arr)
        empty = np.asarray(
            pc.fill_null(pc.equal(pc.utf8_trim_whitespace(arr), ""), True).to_numpy(
                zero_copy_only=False
            ),
            dtype=np.bool_,
        )
        given = ~empty
    elif pa.types.is_floating(arr.type):
        values = arr.to_numpy(zero_copy_only=False)
        given = ~np.isnan(values)
    else:
        given = _valid_mask(arr)
    if pa.types.is_null(arr.type) or not given.any():
        return FactColumn(np.zeros(n, np.int64), np.zeros(n, np.bool_)), problems
    text = _is_text(arr.type)
    if t is FactType.BOOL:
        if pa.types.is_boolean(arr.type):
            return FactColumn(_to_bool_np(arr), given), problems
        if text:
            idx = pc.index_in(
                pc.utf8_lower(pc.utf8_trim_whitespace(arr)), pa.array(["false", "true"])
            )
            ok = _valid_mask(idx)
            values = np.asarray(pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)) == 1
            _bad(problems, given & ~ok, "expected true or false")
            return FactColumn(values, given & ok), problems
        _bad(problems, given, "expected true or false")
        return FactColumn(np.zeros(n, np.bool_), np.zeros(n, np.bool_)), problems
    if t in (FactType.INT, FactType.FLOAT):
        whole = t is FactType.INT
        want = "a whole number" if whole else "a number"
        if text:
            if whole:
                ok_np = np.asarray(
                    pc.fill_null(pc.match_substring_regex(arr, _INT_TEXT.pattern), False).to_numpy(
                        zero_copy_only=False
                    ),
                    dtype=np.bool_,
                )
            else:
                ok_np = np.zeros(n, np.bool_)
                nums = np.zeros(n, np.float64)
                for i, s in enumerate(arr.to_pylist()):
                    if s is None or not given[i]:
                        continue
                    try:
                        nums[i] = float(s)
                        ok_np[i] = True
                    except ValueError:
                        pass
            _bad(problems, given & ~ok_np, f"expected {want}")
            known = given & ok_np
            if whole:
                cleaned = pc.if_else(pa.array(known), pc.utf8_trim_whitespace(arr), "0")
                ints = np.asarray(cleaned.cast(pa.int64()).to_numpy(zero_copy_only=False))
                values_num: Any = ints
                as_float = ints.astype(np.float64)
            else:
                values_num = nums
                as_float = nums
        elif pa.types.is_integer(arr.type):
            ints = np.asarray(pc.fill_null(arr, 0).to_numpy(zero_copy_only=False))
            known = given.copy()
            values_num = ints.astype(np.int64) if whole else ints.astype(np.float64)
            as_float = ints.astype(np.float64)
        elif pa.types.is_floating(arr.type):
            floats = np.nan_to_num(arr.to_numpy(zero_copy_only=False).astype(np.float64), nan=0.0)
            known = given.copy()
            if whole:
                integral = np.isfinite(floats) & (np.floor(floats) == floats)
                _bad(problems, given & ~integral, f"expected {want}")
                known &= integral
                values_num = np.where(known, floats, 0).astype(np.int64)
            else:
                values_num = floats
            as_float = floats
        else:
            _bad(problems, given, f"expected {want}")
            return FactColumn(np.zeros(n, np.int64), np.zeros(n, np.bool_)), problems
        with np.errstate(invalid="ignore"):
            size_ok = np.isfinite(as_float) & (np.abs(as_float) <= MAX_FACT)
        _bad(problems, known & ~size_ok, f"expected a number of at most {MAX_FACT:g} in size")
        known &= size_ok
        lo, hi = fact.min, fact.max
        if lo is not None or hi is not None:
            inside = np.ones(n, np.bool_)
            if lo is not None:
                inside &= as_float >= lo
            if hi is not None:
                inside &= as_float <= hi
            _bad(problems, known & ~inside, f"expected a value from {lo} to {hi}")
            known &= inside
        return FactColumn(values_num, known), problems
    if t is FactType.DATE:
        if text:
            trimmed = pc.utf8_trim_whitespace(arr)
            shape_ok = pc.fill_null(pc.match_substring_regex(trimmed, _DATE_TEXT), False)
            parsed = pc.strptime(
                pc.if_else(shape_ok, trimmed, pa.scalar(None, pa.string())),
                format="%Y-%m-%d",
                unit="s",
                error_is_null=True,
            )
            # strptime rolls 2024-02-30 over to March: only dates that print back the same.
            same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), trimmed)
            days = pc.if_else(pc.fill_null(same, False), parsed, None).cast(pa.date32())
        elif pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
            days = arr.cast(pa.date32())
        else:
            _bad(problems, given, "expected a date as YYYY-MM-DD")
            return FactColumn(np.zeros(n, np.int64), np.zeros(n, np.bool_)), problems
        ok = _valid_mask(days)
        _bad(problems, given & ~ok, "expected a date as YYYY-MM-DD")
        ordinals = (
            np.asarray(
                pc.fill_null(days.cast(pa.int32()), 0).to_numpy(zero_copy_only=False)
            ).astype(np.int64)
            + _EPOCH_ORDINAL
        )
        return FactColumn(ordinals, given & ok), problems
    # string and enum
    if not text:
        _bad(problems, given, "expected a string")
        return FactColumn(np.empty(n, object), np.zeros(n, np.bool_)), problems
    known = given.copy()
    if fact.values is not None:
        inside = np.asarray(
            pc.is_in(arr, pa.array(list(fact.values), pa.string())).to_numpy(zero_copy_only=False),
            dtype=np.bool_,
        )
        _bad(problems, known & ~inside, f"expected one of {', '.join(fact.values)}")
        known &= inside
    else:
        short = np.asarray(
            pc.fill_null(pc.less_equal(pc.utf8_length(arr), MAX_STRING), True).to_numpy(
                zero_copy_only=False
            ),
            dtype=np.bool_,
        )
        _bad(problems, known & ~short, f"string longer than {MAX_STRING} characters")
        known &= short
    values_obj = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
    return FactColumn(values_obj, known), problems


def _bad(problems: list[tuple[BoolArray, str]], mask: BoolArray, reason: str) -> None:
    if mask.any():
        problems.append((mask, reason))


# -- evaluation ---------------------------------------------------------------------------


@dataclass
class Results:
    """Screening results of ``n`` rows, as columns.

    Band and status columns hold indices: into ``Layout.bands`` and into
    ``STATUS`` (negative, undetermined, positive). ``codes`` holds each indicator's
    final code (0 absent, 1 present, 2 unknown) as a ``k' x n`` matrix whose row
    ``order[i]`` is the ``i``-th indicator of the rule-set file (the evaluator keeps
    its own row order; reordering would copy the matrix for nothing).
    """

    outcome: npt.NDArray[np.integer[Any]]
    outcome_low: npt.NDArray[np.integer[Any]]
    outcome_high: npt.NDArray[np.integer[Any]]
    determined: BoolArray
    score: F64Array
    score_min: F64Array
    score_max: F64Array
    dimensions: Sequence[npt.NDArray[np.integer[Any]]]
    codes: U8Array
    order: npt.NDArray[np.intp]

    @property
    def fired(self) -> BoolArray:
        """``k x n``: indicator (file order) present in row."""
        return np.asarray(self.codes[self.order] == 1)

    @property
    def unknown(self) -> BoolArray:
        """``k x n``: indicator (file order) unknown in row."""
        return np.asarray(self.codes[self.order] == 2)


def _fact_value(fact: Fact, col: FactColumn, i: int) -> Any:
    v = col.values[i]
    if fact.type is FactType.DATE:
        return _dt.date.fromordinal(int(v))
    if fact.type is FactType.BOOL:
        return bool(v)
    if fact.type is FactType.INT:
        return int(v)
    if fact.type is FactType.FLOAT:
        return float(v)
    return str(v)


def evaluate_rows(
    layout: Layout, codes: Mapping[str, U8Array], facts: Mapping[str, FactColumn], n: int
) -> Results:
    """The reference evaluation: one ``Screener.evaluate`` per row."""
    screener = layout.screener
    k = len(layout.indicators)
    band = {b: i for i, b in enumerate(layout.bands)}
    status = {s: i for i, s in enumerate(STATUS)}
    col_of = {ind: j for j, ind in enumerate(layout.indicators)}
    matrix = np.full((n, k), 2, np.uint8)
    for name, c in codes.items():
        matrix[:, col_of[name]] = c
    outcome = np.zeros(n, np.int8)
    low = np.zeros(n, np.int8)
    high = np.zeros(n, np.int8)
    score = np.zeros(n, np.float64)
    smin = np.zeros(n, np.float64)
    smax = np.zeros(n, np.float64)
    dims = [np.zeros(n, np.int8) for _ in layout.dimensions]
    final = np.zeros((k, n), np.uint8)
    ids = layout.indicators
    fact_items = [(layout.facts[name], name, col) for name, col in facts.items()]
    for i, row in enumerate(matrix.tolist()):
        case: dict[str, Any] = {"indicators": {ids[j]: _OBS[c] for j, c in enumerate(row)}}
        if fact_items:
            case["facts"] = {
                name: _fact_value(fact, col, i) for fact, name, col in fact_items if col.known[i]
            }
        a = screener.evaluate(case)
        outcome[i] = band[a.outcome]
        low[i] = band[a.outcome_range.low]
        high[i] = band[a.outcome_range.high]
        score[i] = a.score
        smin[i], smax[i] = a.score_range
        for d, res in enumerate(a.dimension_results):
            dims[d][i] = status[res.status]
        for f in a.fired:
            final[col_of[f.id], i] = 1
        for u in a.unknown:
            final[col_of[u], i] = 2
    order = np.arange(k, dtype=np.intp)
    return Results(outcome, low, high, low == high, score, smin, smax, dims, final, order)


def evaluate_columns(
    layout: Layout, codes: Mapping[str, U8Array], facts: Mapping[str, FactColumn], n: int
) -> Results:
    """Screen ``n`` rows given as columns: the one place that calls an evaluator
    (the vectorised :class:`~thbscreen.batch.columnar.ColumnarEvaluator`)."""
    ev = layout.columnar()
    pairs = {name: _fact_pair(layout, name, col) for name, col in facts.items()}
    res = ev.evaluate(codes, pairs, n)
    remap = layout.band_remap(res.band_ids)
    order = layout.slot_to_file(res.indicator_ids)
    return Results(
        np.take(remap, res.outcome_code),
        np.take(remap, res.low_code),
        np.take(remap, res.high_code),
        np.asarray(res.low_code == res.high_code),
        np.asarray(res.score, dtype=np.float64),
        np.asarray(res.score_min, dtype=np.float64),
        np.asarray(res.score_max, dtype=np.float64),
        [res.status_codes[d] for d in layout.dimensions],
        res.codes,
        order,
    )


def _fact_pair(layout: Layout, name: str, col: FactColumn) -> tuple[Any, Any]:
    """A checked fact column as the ``(lo, hi)`` interval the evaluator reads."""
    fact = layout.facts[name]
    t = fact.type
    known = col.known
    if t is FactType.BOOL:
        v = np.asarray(col.values, dtype=np.bool_)
        return np.where(known, v, False), np.where(known, v, True)
    if t in (FactType.STRING, FactType.ENUM):
        out = np.asarray(col.values, dtype=object).copy()
        out[~known] = None
        return out, out
    j = layout.fact_index[name]
    defaults = layout.screener._facts.defaults
    v = np.asarray(col.values, dtype=np.float64)
    lo = np.where(known, v, float(defaults[2 * j]))
    hi = np.where(known, v, float(defaults[2 * j + 1]))
    return lo, hi


# -- one batch, start to end -----------------------------------------------------------------


@dataclass
class Processed:
    """A batch screened: the output rows and the rejected rows (Arrow tables)."""

    output: Any
    rejects: Any
    read: int
    blank: int


_MESSAGES = {
    "indicator": "expected present, absent, unknown, true or false, or an empty value",
}


def process_batch(layout: Layout, batch: Batch, fmt: str) -> Processed:
    """Check, screen and format one batch (``fmt`` is the output format)."""
    n = batch.n
    problems: list[tuple[BoolArray, str, str]] = list(batch.problems)
    codes: dict[str, U8Array] = {}
    facts: dict[str, FactColumn] = {}
    ids: Any = None
    for name, arr in batch.columns.items():
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if name == "id":
            ids = _id_strings(arr)
        elif name in layout.facts:
            col, bad = read_fact(layout.facts[name], arr)
            facts[name] = col
            problems.extend((mask, name, f"column {name}: {reason}") for mask, reason in bad)
        else:
            c, bad_mask = encode_indicator(arr)
            codes[name] = c
            if bad_mask.any():
                problems.append((bad_mask, name, f"column {name}: {_MESSAGES['indicator']}"))
    rows = batch.rows
    reject_rows: list[int] = [r for r, _, _ in batch.rejects]
    reject_cols: list[str | None] = [c for _, c, _ in batch.rejects]
    reject_reasons: list[str] = [why for _, _, why in batch.rejects]
    reject_ids: list[str | None] = [None] * len(batch.rejects)
    if problems:
        bad_any = np.zeros(n, np.bool_)
        for mask, _, _ in problems:
            bad_any |= mask
        id_list = ids.to_pylist() if ids is not None else None
        for i in np.flatnonzero(bad_any).tolist():
            cols = [c for mask, c, _ in problems if mask[i]]
            reject_rows.append(int(rows[i]))
            reject_cols.append(cols[0])
            reject_reasons.append("; ".join(why for mask, _, why in problems if mask[i]))
            reject_ids.append(id_list[i] if id_list is not None else None)
        good = ~bad_any
        rows = rows[good]
        codes = {k: v[good] for k, v in codes.items()}
        facts = {k: FactColumn(v.values[good], v.known[good]) for k, v in facts.items()}
        if ids is not None:
            ids = pc.filter(ids, pa.array(good))
    m = len(rows)
    res = evaluate_columns(layout, codes, facts, m)
    output = _output_table(layout, res, rows, ids, fmt)
    if reject_rows:
        order = np.argsort(np.array(reject_rows, dtype=np.int64), kind="stable")
        rejects = pa.table(
            {
                "row": pa.array(np.array(reject_rows, dtype=np.int64)[order]),
                "id": pa.array([reject_ids[i] for i in order], pa.string()),
                "column": pa.array([reject_cols[i] for i in order], pa.string()),
                "reason": pa.array([reject_reasons[i] for i in order], pa.string()),
            },
            schema=reject_schema(),
        )
    else:
        rejects = empty_table(reject_schema())
    return Processed(output, rejects, n + len(batch.rejects), batch.blank)


def _id_strings(arr: Any) -> Any:
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_string(arr.type):
        return arr
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    try:
        return arr.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in arr.to_pylist()], pa.string())


def empty_table(schema: Any) -> Any:
    """A table with no rows (``Schema.empty_table`` imports pandas: a second lost)."""
    return pa.Table.from_batches([], schema=schema)


def _labels(idx: npt.NDArray[np.integer[Any]], words: Sequence[str], fmt: str) -> Any:
    indices = from_numpy(np.asarray(idx, dtype=np.int8))
    dictionary = strings(tuple(words))
    if fmt == "parquet":
        return pa.DictionaryArray.from_arrays(indices, dictionary)
    return dictionary.take(indices)


_HEX = np.array([int.from_bytes(f"{i:02x}".encode(), "little") for i in range(256)], dtype="<u2")


def _bits_binary(res: Results, bit: int) -> Any:
    """Raw bytes, ``fixed_size_binary(ceil(k/8))`` (the Parquet form)."""
    packed = row_bytes(res.codes, res.order, bit)
    n, width = packed.shape
    return pa.Array.from_buffers(pa.binary(width), n, [None, pa.py_buffer(packed)])


def _bits_hex(res: Results, bit: int) -> Any:
    """The same bytes in hexadecimal text (the CSV and JSON Lines form)."""
    packed = row_bytes(res.codes, res.order, bit)
    n = packed.shape[0]
    width = 2 * packed.shape[1]
    data = np.ascontiguousarray(_HEX[packed]).view(np.uint8).reshape(-1)
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _output_table(layout: Layout, res: Results, rows: I64Array, ids: Any, fmt: str) -> Any:
    m = len(rows)
    lists = None
    if layout.lists == "bits":
        lists = _bits_binary if fmt == "parquet" else _bits_hex
    columns: dict[str, Any] = {
        "id": ids if ids is not None else pa.nulls(m, pa.string()),
        "row": from_numpy(np.asarray(rows, dtype=np.int64)),
        "outcome": _labels(res.outcome, layout.bands, fmt),
        "outcome_low": _labels(res.outcome_low, layout.bands, fmt),
        "outcome_high": _labels(res.outcome_high, layout.bands, fmt),
        "determined": from_numpy(np.asarray(res.determined, dtype=np.bool_)),
        "score": from_numpy(np.asarray(res.score, dtype=np.float64)),
        "score_min": from_numpy(np.asarray(res.score_min, dtype=np.float64)),
        "score_max": from_numpy(np.asarray(res.score_max, dtype=np.float64)),
    }
    for d, dim in enumerate(layout.dimensions):
        columns[f"dimension.{dim}"] = _labels(res.dimensions[d], STATUS, fmt)
    if lists is not None:
        columns["fired"] = lists(res, FIRED)
        columns["unknown"] = lists(res, UNKNOWN)
    else:
        names = strings(layout.indicators)
        columns["fired"] = joined_ids(res.codes, res.order, 1, names)
        columns["unknown"] = joined_ids(res.codes, res.order, 2, names)
    return pa.table(columns, schema=layout.schema(fmt))


# -- writing --------------------------------------------------------------------------------


class Sink:
    """A table written to a temporary file beside ``path``, renamed there by :meth:`commit`."""

    def __init__(self, path: str | os.PathLike[str], schema: Any) -> None:
        self.path = Path(path)
        self.fmt = file_format(path)
        self.schema = schema
        parent = self.path.parent
        if not parent.is_dir():
            raise _error("the folder does not exist", parent)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=parent)
        os.close(fd)
        self.rows = 0
        self._writer: Any = None
        self._fh: Any = None
        self._plain = pa.schema(
            [
                pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                for f in schema
            ]
        )
        if self.fmt == "parquet":
            self._writer = pq.ParquetWriter(self.tmp, schema, **_parquet_options(schema))
        else:
            self._fh = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()
            if self.fmt == "csv":
                self._fh.write(_csv_bytes(empty_table(self._plain), header=True))

    def write(self, table: Any) -> None:
        if table.num_rows == 0:
            return
        self.rows += table.num_rows
        if self.fmt == "parquet":
            self._writer.write_table(table)
        elif self.fmt == "csv":
            self._fh.write(_csv_bytes(table.cast(self._plain), header=False))
        else:
            dump = json.dumps
            lines = [dump(r, ensure_ascii=False, allow_nan=False) for r in table.to_pylist()]
            self._fh.write(("\n".join(lines) + "\n").encode("utf-8"))

    def append_file(self, path: Path) -> None:
        """Add the rows of a file written by a :class:`Sink` of the same schema."""
        if self.fmt == "parquet":
            pf = pq.ParquetFile(path)
            try:
                for g in range(pf.num_row_groups):
                    self.write(pf.read_row_group(g))
            finally:
                pf.close()
            return
        with open(path, "rb") as src:
            if self.fmt == "csv":
                src.readline()  # its header
            shutil.copyfileobj(src, self._fh, 1 << 20)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._fh is not None:
            self._fh.flush()
            with contextlib.suppress(OSError):
                os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def commit(self, path: Path | None = None) -> None:
        self.close()
        os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp made it private
        os.replace(self.tmp, path or self.path)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.tmp)


def _parquet_options(schema: Any) -> dict[str, Any]:
    """How each column is stored, chosen by measuring (``benchmarks/bench_batch.py``).

    Dictionary pages only where values repeat (bands, statuses), and those codes
    compress no further; row numbers count up by one, which delta encoding stores in
    almost nothing; packed indicator bits do not compress. Snappy is kept where it pays
    (ids, scores: a third to a quarter of the size). Statistics are off: they cost a
    tenth of the run and nothing reads them.
    """
    repeated = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    stored = set(repeated)
    encoding = {}
    if "row" in schema.names and pa.types.is_integer(schema.field("row").type):
        encoding["row"] = "DELTA_BINARY_PACKED"
        stored.add("row")
    stored.update(f.name for f in schema if pa.types.is_fixed_size_binary(f.type))
    return {
        "use_dictionary": repeated or False,
        "write_statistics": False,
        "column_encoding": encoding or None,
        "compression": {f.name: "none" if f.name in stored else "snappy" for f in schema},
    }


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _csv_bytes(table: Any, *, header: bool) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=header))
    return buf.getvalue()


# -- resuming -------------------------------------------------------------------------------


def _fingerprint(path: str | os.PathLike[str]) -> dict[str, Any]:
    st = os.stat(path)
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "head_sha256": h.hexdigest()}


class _Resume:
    """Checkpoints of a run started with ``--resume``.

    The folder ``.<output name>.resume`` beside the output holds finished pieces of the
    output and of the rejects (each written whole, then renamed) and ``state.json``,
    rewritten atomically after each piece: what the run is (input fingerprint, rule set
    hash, options) and how far it got. A new run with the same command continues after
    the last piece; at the end the pieces are joined into the output and the folder is
    removed.
    """

    def __init__(self, output: Path, key: dict[str, Any]) -> None:
        self.dir = output.with_name(f".{output.name}.resume")
        self.key = key
        self.state: dict[str, Any] = {"format": _STATE_FORMAT, "key": key, "pieces": []}
        self.taken_over = False
        state_file = self.dir / "state.json"
        if state_file.is_file():
            try:
                old = json.loads(state_file.read_text(encoding="utf-8"))
            except ValueError:
                old = None
            if (
                isinstance(old, dict)
                and old.get("format") == _STATE_FORMAT
                and old.get("key") == key
            ):
                pieces = [p for p in old.get("pieces", []) if self._complete(p)]
                if pieces == old.get("pieces"):
                    self.state = old
                    self.taken_over = bool(pieces)
        if not self.taken_over:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
            self._save()

    def _complete(self, piece: dict[str, Any]) -> bool:
        return all((self.dir / piece[k]).is_file() for k in ("output", "rejects"))

    @property
    def pieces(self) -> list[dict[str, Any]]:
        pieces: list[dict[str, Any]] = self.state["pieces"]
        return pieces

    @property
    def batches_done(self) -> int:
        return sum(int(p["batches"]) for p in self.pieces)

    def totals(self) -> dict[str, int]:
        out = {"read": 0, "written": 0, "rejected": 0, "blank": 0}
        for p in self.pieces:
            for k in out:
                out[k] += int(p[k])
        return out

    def add(self, piece: dict[str, Any]) -> None:
        self.pieces.append(piece)
        self._save()

    def _save(self) -> None:
        from .._io import write_atomic

        write_atomic(self.dir / "state.json", json.dumps(self.state, indent=1) + "\n")

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


# -- the run --------------------------------------------------------------------------------


def screen_file(
    input: str | os.PathLike[str],
    rules: RuleSet | Screener,
    output: str | os.PathLike[str],
    *,
    rejects: str | os.PathLike[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    lists: str = "ids",
    ignore_columns: Sequence[str] = (),
    resume: bool = False,
    checkpoint_rows: int = 1_000_000,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Screen every row of ``input`` into ``output``; rows that cannot be screened go to
    ``rejects`` (default: beside the output, ``out.rejects.csv`` for ``out.csv``).

    Raises :class:`BatchError` for whole-file problems (nothing is written then).
    ``progress(done, total)`` is called after each batch (bytes for CSV and JSON Lines,
    rows for Parquet). With ``resume``, a checkpoint is kept about every
    ``checkpoint_rows`` rows (whole batches), and a run of the same command that finds
    one continues after it (see the how-to guide).
    """
    started = time.perf_counter()
    screener = rules if isinstance(rules, Screener) else Screener(rules)
    layout = Layout(screener, lists)
    batch_size = effective_batch_size(batch_size, lists)
    out_path = Path(output)
    rej_path = Path(rejects) if rejects is not None else default_rejects_path(out_path)
    file_format(out_path)
    file_format(rej_path)
    _check_distinct(Path(input), out_path, rej_path)
    source = open_source(input, layout, batch_size=batch_size, ignore=ignore_columns)
    summary = BatchSummary(str(input), str(out_path), str(rej_path), layout.ruleset_name)
    out_fmt = file_format(out_path)
    if resume:
        return _run_resumable(
            source,
            layout,
            input,
            out_path,
            rej_path,
            summary,
            progress,
            started,
            batch_size,
            ignore_columns,
            checkpoint_rows,
        )
    out = Sink(out_path, layout.schema(out_fmt))
    rej: Sink | None = None
    try:
        rej = Sink(rej_path, reject_schema())
        for batch in source.batches():
            done = process_batch(layout, batch, out_fmt)
            out.write(done.output)
            rej.write(done.rejects)
            summary.read += done.read
            summary.written += done.output.num_rows
            summary.rejected += done.rejects.num_rows
            summary.blank += done.blank
            if progress is not None:
                progress(batch.position, source.total)
        _finish(out, rej)
    except BaseException:
        out.abort()
        if rej is not None:
            rej.abort()
        raise
    finally:
        source.close()
    summary.seconds = time.perf_counter() - started
    return summary


#: With ``lists="ids"`` a row's lists take about a kilobyte: smaller batches bound memory.
IDS_BATCH_SIZE = 16_384


def effective_batch_size(batch_size: int, lists: str) -> int:
    """The batch size used: at most :data:`IDS_BATCH_SIZE` rows with ``lists="ids"``."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return min(batch_size, IDS_BATCH_SIZE) if lists == "ids" else batch_size


def _finish(out: Sink, rej: Sink) -> None:
    out.close()
    rej.close()
    rej.commit()
    out.commit()


def _check_distinct(inp: Path, out: Path, rej: Path) -> None:
    paths = {"input": inp, "output": out, "rejects": rej}
    resolved = {k: os.path.realpath(v) for k, v in paths.items()}
    if len(set(resolved.values())) < 3:
        raise _error("the input, the output and the rejects file must be different files", out)


def _run_resumable(
    source: _Source,
    layout: Layout,
    input: str | os.PathLike[str],
    out_path: Path,
    rej_path: Path,
    summary: BatchSummary,
    progress: Callable[[int, int], None] | None,
    started: float,
    batch_size: int,
    ignore_columns: Sequence[str],
    checkpoint_rows: int,
) -> BatchSummary:
    out_fmt = file_format(out_path)
    rej_fmt = file_format(rej_path)
    key = {
        "input": os.path.realpath(input),
        "fingerprint": _fingerprint(input),
        "ruleset": layout.ruleset.hash,
        "lists": layout.lists,
        "batch_size": batch_size,
        "ignore": sorted(ignore_columns),
        "rejects": os.path.realpath(rej_path),
        "formats": [out_fmt, rej_fmt],
    }
    state = _Resume(out_path, key)
    skip = state.batches_done
    totals = state.totals()
    summary.resumed = totals["read"]
    summary.read, summary.written = totals["read"], totals["written"]
    summary.rejected, summary.blank = totals["rejected"], totals["blank"]
    # A piece every so many batches (about a million rows) keeps joining cheap.
    per_piece = max(1, checkpoint_rows // batch_size)
    out: Sink | None = None
    rej: Sink | None = None
    counts = {"read": 0, "written": 0, "rejected": 0, "blank": 0, "batches": 0}

    def close_piece() -> None:
        nonlocal out, rej
        if out is None or rej is None:
            return
        number = len(state.pieces) + 1
        names = {
            "output": f"output-{number:06d}{out_path.suffix}",
            "rejects": f"rejects-{number:06d}{rej_path.suffix}",
        }
        out.commit(state.dir / names["output"])
        rej.commit(state.dir / names["rejects"])
        state.add({**names, **counts})
        out = rej = None
        for k in counts:
            counts[k] = 0

    try:
        for i, batch in enumerate(source.batches()):
            if i < skip:
                continue
            if out is None:
                out = Sink(state.dir / f"piece{out_path.suffix}", layout.schema(out_fmt))
                rej = Sink(state.dir / f"piece-rejects{rej_path.suffix}", reject_schema())
            assert rej is not None
            done = process_batch(layout, batch, out_fmt)
            out.write(done.output)
            rej.write(done.rejects)
            counts["read"] += done.read
            counts["written"] += done.output.num_rows
            counts["rejected"] += done.rejects.num_rows
            counts["blank"] += done.blank
            counts["batches"] += 1
            summary.read += done.read
            summary.written += done.output.num_rows
            summary.rejected += done.rejects.num_rows
            summary.blank += done.blank
            if counts["batches"] >= per_piece:
                close_piece()
            if progress is not None:
                progress(batch.position, source.total)
        close_piece()
    except BaseException:
        for s in (out, rej):
            if s is not None:
                s.abort()
        raise
    finally:
        source.close()
    final_out = Sink(out_path, layout.schema(out_fmt))
    final_rej = Sink(rej_path, reject_schema())
    try:
        for p in state.pieces:
            final_out.append_file(state.dir / p["output"])
            final_rej.append_file(state.dir / p["rejects"])
        _finish(final_out, final_rej)
    except BaseException:
        final_out.abort()
        final_rej.abort()
        raise
    state.remove()
    summary.seconds = time.perf_counter() - started
    return summary
