"""Screening on a dask cluster: a dask DataFrame, or a file split into pieces.

* :func:`evaluate` maps the columnar evaluator over the partitions of a dask DataFrame
  (one column per indicator, fact columns, an optional ``id``), with the output
  columns declared up front (``meta``). Rows with a bad value are kept, with the reason
  in ``reject`` and empty results.
* :func:`screen_file_on` is what ``thbscreen batch --dask SCHEDULER`` runs: the input
  file is split into pieces (line-aligned byte ranges of CSV and JSON Lines, row
  groups of Parquet), the workers read, check and screen the pieces with the very
  code of the local path, and the client writes the output and the rejects in input
  order, holding only a few pieces at a time. The table is the one the local path
  writes, row for row.

Needs the ``dask`` extra (``dask[dataframe]``, ``distributed``) besides ``batch``.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]

from ..model import RuleSet
from ..screening import Screener
from .files import (
    DEFAULT_BATCH_SIZE,
    Batch,
    BatchSummary,
    Layout,
    Part,
    Sink,
    _arrow_from_values,
    _check_distinct,
    _finish,
    default_rejects_path,
    effective_batch_size,
    empty_table,
    file_format,
    open_source,
    plan_parts,
    process_batch,
    reject_schema,
)

__all__ = ["close_client", "evaluate", "screen_file_on", "start_client"]

#: Extra output columns of :func:`evaluate`: why a row was rejected (null when screened).
REJECT_COLUMNS = ("reject_column", "reject")

_LAYOUTS: dict[tuple[str, str, str, str], Layout] = {}


def _layout(ruleset: RuleSet, lists: str) -> Layout:
    """One compiled rule set per worker process (compiling is the costly part)."""
    key = (ruleset.id, ruleset.version, ruleset.hash, lists)
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _LAYOUTS[key] = Layout(Screener(ruleset), lists)
    return layout


# -- a dask DataFrame ---------------------------------------------------------------------


def evaluate(ddf: Any, ruleset: RuleSet | Screener, *, lists: str = "ids") -> Any:
    """Screen every row of a dask DataFrame; returns a dask DataFrame (lazy).

    The input's columns are indicator ids, fact ids and optionally ``id`` (any other
    column raises :class:`~thbscreen.batch.files.BatchError` at once, before anything
    runs). The result has the input's index and the columns of the batch output
    (``id``, ``outcome``, ..., ``fired``, ``unknown``; no ``row``: the index says which
    row it is), then ``reject_column`` and ``reject``: for a row with a bad value, the
    first bad column and the reason, with every result column empty. Columns are
    pandas ``ArrowDtype`` columns, so empty values are nulls whatever their type.
    """
    rs = ruleset.ruleset if isinstance(ruleset, Screener) else ruleset
    layout = _layout(rs, lists)
    layout.check_columns([str(c) for c in ddf.columns], "<dask DataFrame>")
    meta = _empty_result(layout)
    return ddf.map_partitions(_evaluate_partition, rs, lists, meta=meta)


def _result_schema(layout: Layout) -> Any:
    fields = [f for f in layout.schema("csv") if f.name != "row"]
    fields += [pa.field(name, pa.string()) for name in REJECT_COLUMNS]
    return pa.schema(fields)


def _to_pandas(table: Any) -> Any:
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _empty_result(layout: Layout) -> Any:
    return _to_pandas(empty_table(_result_schema(layout)))


def _evaluate_partition(pdf: Any, ruleset: RuleSet, lists: str) -> Any:
    layout = _layout(ruleset, lists)
    n = len(pdf)
    columns = {str(name): _series_to_arrow(pdf[name]) for name in pdf.columns}
    batch = Batch(columns, np.arange(1, n + 1, dtype=np.int64))
    done = process_batch(layout, batch, "csv")
    schema = _result_schema(layout)
    good = done.output
    width = good.num_rows
    good_part = {
        name: (good.column(name) if name in good.column_names else pa.nulls(width, pa.string()))
        for name in schema.names
    }
    bad = done.rejects
    m = bad.num_rows
    bad_part = {name: pa.nulls(m, schema.field(name).type) for name in schema.names}
    bad_part["id"] = bad.column("id")
    bad_part["reject_column"] = bad.column("column")
    bad_part["reject"] = bad.column("reason")
    table = pa.concat_tables(
        [pa.table(good_part, schema=schema), pa.table(bad_part, schema=schema)]
    )
    positions = np.concatenate(
        [good.column("row").to_numpy(), bad.column("row").to_numpy()]
    ).astype(np.int64)
    table = table.take(pa.array(np.argsort(positions, kind="stable")))
    out = _to_pandas(table)
    out.index = pdf.index
    return out


def _series_to_arrow(series: Any) -> Any:
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return _arrow_from_values(series.astype(object).where(series.notna(), None).tolist())


# -- a file, in pieces ----------------------------------------------------------------------


def start_client(scheduler: str) -> Any:
    """A ``distributed.Client``: ``local`` starts a LocalCluster on this machine,
    anything else is a scheduler address (``tcp://host:8786``)."""
    import importlib

    distributed: Any = importlib.import_module("distributed")
    if scheduler == "local":
        cluster = distributed.LocalCluster(
            processes=True, threads_per_worker=1, dashboard_address=None
        )
        client = distributed.Client(cluster)
        _CLUSTERS[id(client)] = cluster  # closed with the client, see close_client
        return client
    return distributed.Client(scheduler)


_CLUSTERS: dict[int, Any] = {}


def close_client(client: Any) -> None:
    """Close a client from :func:`start_client` (and the LocalCluster it started)."""
    cluster = _CLUSTERS.pop(id(client), None)
    client.close()
    if cluster is not None:
        cluster.close()


def _screen_part(
    path: str,
    part: Part,
    ruleset: RuleSet,
    lists: str,
    out_fmt: str,
    batch_size: int,
    ignore: Sequence[str],
) -> tuple[Any, Any, int, int]:
    """On a worker: read, check and screen one piece; (output, rejects, read, blank)."""
    layout = _layout(ruleset, lists)
    batch_size = effective_batch_size(batch_size, lists)
    source = open_source(path, layout, batch_size=batch_size, ignore=ignore, part=part)
    outputs, rejects = [], []
    read = blank = 0
    for batch in source.batches():
        done = process_batch(layout, batch, out_fmt)
        outputs.append(done.output)
        rejects.append(done.rejects)
        read += done.read
        blank += done.blank
    schema = layout.schema(out_fmt)
    output = pa.concat_tables(outputs) if outputs else empty_table(schema)
    rejected = pa.concat_tables(rejects) if rejects else empty_table(reject_schema())
    return output, rejected, read, blank


def _in_order(
    client: Any, submit: Callable[[Part], Any], parts: Sequence[Part], ahead: int
) -> Iterator[Any]:
    """Results of the pieces in input order, with at most ``ahead`` pieces in flight."""
    pending: deque[Any] = deque()
    todo = iter(parts)
    for part in todo:
        pending.append(submit(part))
        if len(pending) >= ahead:
            break
    while pending:
        future = pending.popleft()
        result = future.result()
        future.release()
        nxt = next(todo, None)
        if nxt is not None:
            pending.append(submit(nxt))
        yield result


def screen_file_on(
    client: Any,
    input: str | os.PathLike[str],
    rules: RuleSet | Screener,
    output: str | os.PathLike[str],
    *,
    rejects: str | os.PathLike[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    lists: str = "ids",
    ignore_columns: Sequence[str] = (),
    part_bytes: int = 64 << 20,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """:func:`~thbscreen.batch.files.screen_file` with the screening done on a cluster.

    Every worker must be able to open ``input`` by the same path (a shared file
    system); the output and the rejects are written here, by the client.
    """
    started = time.perf_counter()
    rs = rules.ruleset if isinstance(rules, Screener) else rules
    layout = _layout(rs, lists)
    in_path = os.path.abspath(input)
    out_path = Path(output)
    rej_path = Path(rejects) if rejects is not None else default_rejects_path(out_path)
    out_fmt = file_format(out_path)
    file_format(rej_path)
    _check_distinct(Path(in_path), out_path, rej_path)
    # Opening the source here checks the columns before any work is sent out.
    open_source(in_path, layout, batch_size=batch_size, ignore=ignore_columns).close()
    parts = plan_parts(in_path, layout, part_bytes)
    summary = BatchSummary(str(input), str(out_path), str(rej_path), layout.ruleset_name)
    summary.scheduler = str(client.scheduler.address)
    ahead = max(2, 2 * sum(client.nthreads().values()))
    [rs_future] = client.scatter([rs], broadcast=True)

    def submit(part: Part) -> Any:
        return client.submit(
            _screen_part,
            in_path,
            part,
            rs_future,
            lists,
            out_fmt,
            batch_size,
            tuple(ignore_columns),
            pure=False,
        )

    out = Sink(out_path, layout.schema(out_fmt))
    rej: Sink | None = None
    total = len(parts)
    try:
        rej = Sink(rej_path, reject_schema())
        for i, (table, rejected, read, blank) in enumerate(_in_order(client, submit, parts, ahead)):
            out.write(table)
            rej.write(rejected)
            summary.read += read
            summary.written += table.num_rows
            summary.rejected += rejected.num_rows
            summary.blank += blank
            if progress is not None:
                progress(i + 1, total)
        _finish(out, rej)
    except BaseException:
        out.abort()
        if rej is not None:
            rej.abort()
        raise
    summary.seconds = time.perf_counter() - started
    return summary
