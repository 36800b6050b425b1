"""Generated case tables for the batch tests, and the per-row reference results."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import thbscreen
from thbscreen.model import FactType

WORDS = ("present", "absent", "unknown", "", "true", "false", "PRESENT", " absent ")


def random_rows(
    ruleset: thbscreen.RuleSet, n: int, seed: int = 0, *, with_id: bool = True
) -> list[dict[str, Any]]:
    """Good rows: every value is valid (as text, the way a CSV file holds it)."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        row: dict[str, Any] = {"id": f"case-{i}"} if with_id else {}
        for ind in ruleset.indicators:
            row[ind.id] = rnd.choice(WORDS) if rnd.random() < 0.8 else ""
        for fact in ruleset.facts:
            row[fact.id] = fact_text(fact, rnd) if rnd.random() < 0.8 else ""
        rows.append(row)
    return rows


def fact_text(fact: Any, rnd: random.Random) -> str:
    t = fact.type
    if t is FactType.BOOL:
        return rnd.choice(["true", "false"])
    if t in (FactType.INT, FactType.FLOAT):
        lo = int(fact.min) if fact.min is not None else -50
        hi = int(fact.max) if fact.max is not None else 200
        v = rnd.randint(lo, hi)
        return str(v) if t is FactType.INT else str(v + rnd.choice([0, 0.5]))
    if t is FactType.DATE:
        return (dt.date(2000, 1, 1) + dt.timedelta(days=rnd.randint(0, 9000))).isoformat()
    if fact.values:
        return rnd.choice(list(fact.values))
    return rnd.choice(["a", "b", "some text"])


def case_of(ruleset: thbscreen.RuleSet, row: dict[str, Any]) -> dict[str, Any]:
    """The case a row stands for, as ``Screener.evaluate`` takes it."""
    inds = {}
    for ind in ruleset.indicators:
        v = row.get(ind.id)
        if isinstance(v, str):
            v = {"": None, "true": True, "false": False}.get(v.strip().lower(), v.strip().lower())
        inds[ind.id] = v
    facts: dict[str, Any] = {}
    for fact in ruleset.facts:
        v = row.get(fact.id)
        if v is None or v == "":
            continue
        t = fact.type
        if isinstance(v, str):
            if t is FactType.BOOL:
                v = v == "true"
            elif t is FactType.INT:
                v = int(v)
            elif t is FactType.FLOAT:
                v = float(v)
        facts[fact.id] = v
    case: dict[str, Any] = {"indicators": inds, "facts": facts}
    if row.get("id") not in (None, ""):
        case["id"] = row["id"]
    return case


def expected(screener: thbscreen.Screener, row: dict[str, Any], number: int) -> dict[str, Any]:
    """The output row ``Screener.evaluate`` says a good input row must give."""
    rs = screener.ruleset
    a = screener.evaluate(case_of(rs, row))
    fired = {f.id for f in a.fired}
    unknown = set(a.unknown)
    out: dict[str, Any] = {
        "id": row.get("id") or "",
        "row": number,
        "outcome": a.outcome,
        "outcome_low": a.outcome_range.low,
        "outcome_high": a.outcome_range.high,
        "determined": a.determined,
        "score": float(a.score),
        "score_min": float(a.score_range[0]),
        "score_max": float(a.score_range[1]),
    }
    for d in a.dimension_results:
        out[f"dimension.{d.id}"] = d.status
    out["fired"] = ";".join(i.id for i in rs.indicators if i.id in fired)
    out["unknown"] = ";".join(i.id for i in rs.indicators if i.id in unknown)
    return out


def write_rows(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Path:
    """Rows of text values to CSV, JSON Lines or Parquet (by suffix)."""
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, columns, extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    elif path.suffix == ".jsonl":
        with open(path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({c: r.get(c) for c in columns if c in r}) + "\n")
    else:
        table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns})
        pq.write_table(table, path, row_group_size=max(1, len(rows) // 3 or 1))
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    """An output or rejects file as dicts, with the types normalised across formats."""
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
    elif path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    return [_normal(r) for r in rows]


def _normal(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in r.items():
        if k == "row":
            v = int(v)
        elif k in ("score", "score_min", "score_max"):
            v = float(v)
        elif k == "determined":
            v = v if isinstance(v, bool) else v == "true"
        elif v is None:
            v = ""
        out[k] = v
    return out
