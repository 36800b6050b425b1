"""Batch screening of files: every row accounted for, results equal to Screener.evaluate."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

import pyarrow.parquet as pq  # noqa: E402

import thbscreen  # noqa: E402
from thbscreen.batch.files import (  # noqa: E402
    BatchError,
    FactColumn,
    Layout,
    bits_to_ids,
    encode_indicator,
    evaluate_columns,
    evaluate_rows,
    screen_file,
)
from thbscreen.loading import ruleset_from_text  # noqa: E402

from ..helpers import TINY  # noqa: E402
from ._data import case_of, expected, random_rows, read_output, write_rows  # noqa: E402

ADULT = thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
ICLS = thbscreen.load_ruleset("ilo-icls-2018/forced-labour-statistical")
TINY_RS = ruleset_from_text(TINY, "tiny.yaml")
FORMATS = (".csv", ".jsonl", ".parquet")


def columns_of(rs: thbscreen.RuleSet) -> list[str]:
    return ["id", *(i.id for i in rs.indicators), *(f.id for f in rs.facts)]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def check_against_reference(
    rs: thbscreen.RuleSet, rows: list[dict[str, Any]], out: Path, numbers: list[int]
) -> None:
    screener = thbscreen.Screener(rs)
    got = read_output(out)
    want = [expected(screener, r, n) for r, n in zip(rows, numbers, strict=True)]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g == w, (g["row"], {k: (g[k], w[k]) for k in w if g[k] != w[k]})


@pytest.mark.parametrize("rs", [ADULT, ICLS, TINY_RS], ids=["adult", "icls", "tiny"])
@pytest.mark.parametrize("src", FORMATS)
@pytest.mark.parametrize("dst", FORMATS)
def test_round_trip_equals_screener_evaluate(
    tmp_path: Path, rs: thbscreen.RuleSet, src: str, dst: str
) -> None:
    rows = random_rows(rs, 120, seed=len(src) + 7 * len(dst))
    inp = write_rows(tmp_path / f"in{src}", rows, columns_of(rs))
    out = tmp_path / f"out{dst}"
    summary = screen_file(inp, rs, out, batch_size=50)
    assert (summary.read, summary.written, summary.rejected) == (120, 120, 0)
    check_against_reference(rs, rows, out, list(range(1, 121)))
    assert read_output(tmp_path / f"out.rejects{dst}") == []
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("dst", FORMATS)
def test_bits_decode_to_the_same_ids(tmp_path: Path, dst: str) -> None:
    rows = random_rows(TINY_RS, 60, seed=3)
    inp = write_rows(tmp_path / "in.csv", rows, columns_of(TINY_RS))
    screen_file(inp, TINY_RS, tmp_path / f"ids{dst}")
    screen_file(inp, TINY_RS, tmp_path / f"bits{dst}", lists="bits")
    ids = read_output(tmp_path / f"ids{dst}")
    bits = read_output(tmp_path / f"bits{dst}")
    # Six indicators: one byte; raw in Parquet, two hexadecimal digits in text formats.
    assert {len(b["fired"]) for b in bits} == {1 if dst == ".parquet" else 2}
    for a, b in zip(ids, bits, strict=True):
        for col in ("fired", "unknown"):
            assert ";".join(bits_to_ids(b[col], TINY_RS)) == a[col]
            b[col] = a[col]
        assert a == b


def test_batches_of_any_size_give_the_same_table(tmp_path: Path) -> None:
    rows = random_rows(ADULT, 300, seed=11)
    inp = write_rows(tmp_path / "in.csv", rows, columns_of(ADULT))
    screen_file(inp, ADULT, tmp_path / "one.csv", batch_size=10_000)
    screen_file(inp, ADULT, tmp_path / "many.csv", batch_size=7)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()


BAD_CSV = """\
id,a.one,a.two,b.other,weekly_hours,sector,minor,arrived
ok-1,present,absent,,70,agriculture,true,2024-01-05
bad-value,maybe,absent,,,,,
bad-int,present,,,seventy,,,
out-of-range,present,,,200,,,
bad-enum,present,,,,fishing,,
bad-bool,present,,,,,yes,
bad-date,present,,,,,,05/01/2024
too-few,present

ok-2,TRUE,False, unknown ,1,construction,FALSE,2023-12-31
two-bad,x,y,,,,,
,,,,,,,
ok-3,,,,,,,
not-a-date,,,,,,,2024-02-30
"""


def test_bad_rows_are_all_accounted_for(tmp_path: Path) -> None:
    inp = tmp_path / "cases.csv"
    inp.write_text(BAD_CSV, encoding="utf-8")
    out = tmp_path / "out.csv"
    summary = screen_file(inp, TINY_RS, out)
    assert summary.read == summary.written + summary.rejected
    assert (summary.read, summary.written, summary.rejected, summary.blank) == (12, 3, 9, 2)
    written = read_output(out)
    rejected = read_output(tmp_path / "out.rejects.csv")
    assert [r["id"] for r in written] == ["ok-1", "ok-2", "ok-3"]
    assert [r["row"] for r in written] == [1, 10, 13]
    reasons = {r["row"]: (r["id"], r["column"], r["reason"]) for r in rejected}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 11, 14]
    assert reasons[2] == (
        "bad-value",
        "a.one",
        "column a.one: expected present, absent, unknown, true or false, or an empty value",
    )
    assert reasons[3][1:] == ("weekly_hours", "column weekly_hours: expected a whole number")
    assert reasons[4][1:] == ("weekly_hours", "column weekly_hours: expected a value from 0 to 168")
    assert (
        reasons[5][2] == "column sector: expected one of agriculture, construction, domestic_work"
    )
    assert reasons[6][2] == "column minor: expected true or false"
    assert reasons[7][2] == "column arrived: expected a date as YYYY-MM-DD"
    assert reasons[8] == ("", "", "expected 8 fields, found 2")
    assert reasons[11][1] == "a.one"
    assert reasons[11][2].count("column a.") == 2  # every problem of the row is named
    assert reasons[14][2] == "column arrived: expected a date as YYYY-MM-DD"
    # Row numbers of written and rejected rows together: every record, once.
    numbers = sorted([r["row"] for r in written] + list(reasons))
    assert numbers == sorted(set(numbers))
    assert len(numbers) == summary.read
    # No reason repeats a value from the file (case data stays in the input).
    text = (tmp_path / "out.rejects.csv").read_text(encoding="utf-8")
    for value in ("maybe", "seventy", "fishing", "05/01/2024", "yes"):
        assert value not in text
    # The good rows still equal Screener.evaluate.
    screener = thbscreen.Screener(TINY_RS)
    ok2 = screener.evaluate(
        {
            "id": "ok-2",
            "indicators": {"a.one": "present", "a.two": "absent", "b.other": "unknown"},
            "facts": {
                "weekly_hours": 1,
                "sector": "construction",
                "minor": False,
                "arrived": "2023-12-31",
            },
        }
    )
    assert written[1]["outcome"] == ok2.outcome
    assert written[1]["score"] == ok2.score


def test_bad_json_lines_are_rejected(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "a.one": "present", "weekly_hours": 70}),
        "{not json",
        "[1, 2]",
        "",
        json.dumps({"id": "b", "a.onne": "present"}),
        json.dumps({"id": "c", "a.one": True, "minor": "true", "weekly_hours": 12.0}),
        json.dumps({"id": "d", "a.one": 1}),
        json.dumps({"id": "e", "weekly_hours": 12.5, "a.two": {"x": 1}}),
        json.dumps({"id": 7, "sector": "domestic_work", "a.one": None}),
    ]
    inp = tmp_path / "cases.jsonl"
    inp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = screen_file(inp, TINY_RS, out)
    assert (summary.read, summary.written, summary.rejected, summary.blank) == (8, 3, 5, 1)
    written = read_output(out)
    assert [(r["row"], r["id"]) for r in written] == [(1, "a"), (6, "c"), (9, "7")]
    rejected = {r["row"]: r for r in read_output(tmp_path / "out.rejects.jsonl")}
    assert rejected[2]["reason"] == "not valid JSON"
    assert rejected[3]["reason"] == "not a JSON object"
    assert rejected[5]["reason"] == "unknown column 'a.onne' (did you mean 'a.one'?)"
    assert rejected[5]["id"] == "b"
    assert rejected[7]["column"] == "a.one"
    assert "column weekly_hours: expected a whole number" in rejected[8]["reason"]
    assert "column a.two" in rejected[8]["reason"]


def test_an_unknown_column_is_a_file_error_and_nothing_is_written(tmp_path: Path) -> None:
    inp = tmp_path / "cases.csv"
    inp.write_text("id,a.one,a.tow\nx,present,absent\n", encoding="utf-8")
    with pytest.raises(BatchError, match=r"unknown column 'a.tow' \(did you mean 'a.two'\?\)"):
        screen_file(inp, TINY_RS, tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv"]
    summary = screen_file(inp, TINY_RS, tmp_path / "out.csv", ignore_columns=["a.tow"])
    assert summary.written == 1


def test_duplicate_columns_and_bad_suffixes(tmp_path: Path) -> None:
    inp = tmp_path / "cases.csv"
    inp.write_text("id,a.one,a.one\nx,present,absent\n", encoding="utf-8")
    with pytest.raises(BatchError, match="appears twice"):
        screen_file(inp, TINY_RS, tmp_path / "out.csv")
    with pytest.raises(BatchError, match=r"suffix '\.xlsx'"):
        screen_file(inp, TINY_RS, tmp_path / "out.xlsx")
    with pytest.raises(BatchError, match="must be different files"):
        screen_file(inp, TINY_RS, inp)
    with pytest.raises(BatchError, match="no such file"):
        screen_file(tmp_path / "missing.csv", TINY_RS, tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv"]


def test_typed_parquet_columns(tmp_path: Path) -> None:
    """Parquet keeps types: booleans, whole numbers stored as floats, dates, dictionaries."""
    table = pa.table(
        {
            "id": pa.array([1, 2, 3, 4, 5], pa.int64()),
            "a.one": pa.array([True, False, None, True, True]),
            "a.two": pa.array(
                ["present", None, "absent", "unknown", "present"]
            ).dictionary_encode(),
            "weekly_hours": pa.array([70.0, float("nan"), 12.0, 61.5, None]),
            "minor": pa.array([True, None, False, False, True]),
            "arrived": pa.array(
                [dt.date(2024, 1, 5), None, dt.date(1999, 12, 31), None, None], pa.date32()
            ),
            "sector": pa.array(["agriculture", None, "domestic_work", None, None]),
        }
    )
    inp = tmp_path / "typed.parquet"
    pq.write_table(table, inp)
    summary = screen_file(inp, TINY_RS, tmp_path / "out.parquet")
    assert (summary.written, summary.rejected) == (4, 1)
    [rej] = read_output(tmp_path / "out.rejects.parquet")
    assert (rej["row"], rej["id"], rej["column"]) == (4, "4", "weekly_hours")
    screener = thbscreen.Screener(TINY_RS)
    rows = [
        {"id": "1", "a.one": True, "a.two": "present", "weekly_hours": 70, "minor": True,
         "arrived": "2024-01-05", "sector": "agriculture"},
        {"id": "2", "a.one": False},
        {"id": "3", "a.two": "absent", "weekly_hours": 12, "minor": False,
         "arrived": "1999-12-31", "sector": "domestic_work"},
        {"id": "5", "a.one": True, "a.two": "present", "minor": True},
    ]  # fmt: skip
    want = [expected(screener, r, n) for r, n in zip(rows, [1, 2, 3, 5], strict=True)]
    assert read_output(tmp_path / "out.parquet") == want


def test_a_stored_pandas_index_is_not_a_column(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a.one": ["present", "absent"]}, index=pd.Index([10, 20], name="key"))
    df.to_parquet(tmp_path / "in.parquet")
    summary = screen_file(tmp_path / "in.parquet", TINY_RS, tmp_path / "out.csv")
    assert summary.written == 2


def test_columnar_evaluation_equals_the_per_row_reference() -> None:
    """The switch to the columnar evaluator changed no result (facts included)."""
    rng = np.random.default_rng(5)
    for rs in [*(thbscreen.load_ruleset(n) for n in thbscreen.bundled_rulesets()), TINY_RS]:
        layout = Layout(thbscreen.Screener(rs))
        n = 400
        codes = {
            ind.id: rng.integers(0, 3, n).astype(np.uint8)
            for ind in rs.indicators
            if rng.random() < 0.9
        }
        facts = {}
        for fact in rs.facts:
            known = rng.random(n) < 0.7
            t = fact.type.value
            if t == "bool":
                values: Any = rng.random(n) < 0.5
            elif t in ("int", "float"):
                lo = fact.min if fact.min is not None else -100
                hi = fact.max if fact.max is not None else 100
                values = rng.integers(int(lo), int(hi) + 1, n)
            elif t == "date":
                values = rng.integers(
                    dt.date(2000, 1, 1).toordinal(), dt.date(2030, 1, 1).toordinal(), n
                )
            else:
                choices = list(fact.values or ["a", "b"])
                values = np.array([choices[i] for i in rng.integers(0, len(choices), n)], object)
            facts[fact.id] = FactColumn(values, known)
        a = evaluate_columns(layout, codes, facts, n)
        b = evaluate_rows(layout, codes, facts, n)
        for name in ("outcome", "outcome_low", "outcome_high", "determined", "score",
                     "score_min", "score_max", "fired", "unknown"):  # fmt: skip
            assert np.array_equal(getattr(a, name), getattr(b, name)), (rs.id, name)
        for da, db in zip(a.dimensions, b.dimensions, strict=True):
            assert np.array_equal(da, db), rs.id


def test_indicator_encoding_agrees_with_the_columnar_module() -> None:
    from thbscreen.batch.columnar import encode_indicator_column

    values = ["present", "absent", "unknown", "", "true", "false", "TRUE", " Absent ",
              "null", None, "yes", "1", "presence"]  # fmt: skip
    mine, bad = encode_indicator(pa.array(values))
    theirs, their_bad = encode_indicator_column(values)
    assert mine.tolist() == theirs.tolist()
    assert bad.tolist() == their_bad.tolist()
    for arr in (pa.array([True, None, False]), pa.array([1.0, float("nan")]), pa.array([1, None])):
        mine, bad = encode_indicator(arr)
        theirs, their_bad = encode_indicator_column(arr.to_pylist())
        assert (mine.tolist(), bad.tolist()) == (theirs.tolist(), their_bad.tolist())


class Stop(Exception):
    pass


def stop_after(batches: int) -> Any:
    seen = [0]

    def progress(done: int, total: int) -> None:
        seen[0] += 1
        if seen[0] >= batches:
            raise Stop

    return progress


def test_an_interrupted_run_leaves_nothing(tmp_path: Path) -> None:
    rows = random_rows(ADULT, 200, seed=2)
    inp = write_rows(tmp_path / "in.parquet", rows, columns_of(ADULT))
    with pytest.raises(Stop):
        screen_file(inp, ADULT, tmp_path / "out.csv", batch_size=20, progress=stop_after(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]


@pytest.mark.parametrize("dst", FORMATS)
def test_resume_continues_an_interrupted_run(tmp_path: Path, dst: str) -> None:
    rows = random_rows(ADULT, 230, seed=4)
    rows[17]["id"] = ""
    rows[17][ADULT.indicators[0].id] = "maybe"  # one reject, in the first piece
    # Parquet batches have exactly batch_size rows (CSV batches are sized in bytes).
    inp = write_rows(tmp_path / "in.parquet", rows, columns_of(ADULT))
    out = tmp_path / f"out{dst}"
    plain = screen_file(inp, ADULT, tmp_path / f"plain{dst}", batch_size=20)
    with pytest.raises(Stop):
        screen_file(
            inp, ADULT, out, batch_size=20, resume=True, checkpoint_rows=40, progress=stop_after(7)
        )
    state_dir = tmp_path / f".out{dst}.resume"
    assert not out.exists()
    state = json.loads((state_dir / "state.json").read_text(encoding="utf-8"))
    assert len(state["pieces"]) == 3  # two batches each; the seventh batch was lost
    summary = screen_file(inp, ADULT, out, batch_size=20, resume=True, checkpoint_rows=40)
    assert summary.resumed == sum(p["read"] for p in state["pieces"]) > 0
    assert (summary.read, summary.written, summary.rejected) == (
        plain.read,
        plain.written,
        plain.rejected,
    )
    assert read_output(out) == read_output(tmp_path / f"plain{dst}")
    assert read_output(tmp_path / f"out.rejects{dst}") == read_output(
        tmp_path / f"plain.rejects{dst}"
    )
    assert not state_dir.exists()
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []


def test_case_of_matches_the_csv_reading_of_words() -> None:
    # The reference itself: a word in any case, with spaces, means the same observation.
    case = case_of(TINY_RS, {"a.one": " PRESENT ", "a.two": "False", "b.other": ""})
    assert case["indicators"]["a.one"] == "present"
    assert case["indicators"]["a.two"] is False
    assert case["indicators"]["b.other"] is None


def test_row_numbers_stay_right_across_many_csv_batches(tmp_path: Path) -> None:
    """Malformed and blank lines in every batch: row numbers still count lines."""
    rows = random_rows(ADULT, 3000, seed=8)
    cols = columns_of(ADULT)
    lines = [",".join(cols)]
    kinds: dict[int, str] = {}
    good: list[tuple[int, dict[str, Any]]] = []
    for i, r in enumerate(rows):
        number = len(lines)  # the row number of the line about to be added
        if i % 97 == 5:
            lines.append("short,present")
            kinds[number] = "bad"
        elif i % 89 == 7:
            lines.append("")
            kinds[number] = "blank"
        else:
            lines.append(",".join(str(r[c]) for c in cols))
            good.append((number, r))
    inp = tmp_path / "many.csv"
    inp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    summary = screen_file(inp, ADULT, out, batch_size=100)  # batches of about 100 lines
    bad = sorted(n for n, k in kinds.items() if k == "bad")
    assert summary.blank == sum(1 for k in kinds.values() if k == "blank")
    assert (summary.written, summary.rejected) == (len(good), len(bad))
    rejected = read_output(tmp_path / "out.rejects.parquet")
    assert [r["row"] for r in rejected] == bad
    assert {r["reason"] for r in rejected} == {f"expected {len(cols)} fields, found 2"}
    screener = thbscreen.Screener(ADULT)
    got = read_output(out)
    assert [g["row"] for g in got] == [n for n, _ in good]
    for g, (n, r) in list(zip(got, good, strict=True))[::50]:
        assert g == expected(screener, r, n)


@pytest.mark.parametrize(
    ("name", "content", "counts"),
    [
        ("header-only.csv", "id,a.one\n", (0, 0, 0, 0)),
        ("empty.jsonl", "", (0, 0, 0, 0)),
        ("all-bad.jsonl", "{oops\n[1]\n\n", (2, 0, 2, 1)),
    ],
)
def test_files_without_good_rows(
    tmp_path: Path, name: str, content: str, counts: tuple[int, ...]
) -> None:
    inp = tmp_path / name
    inp.write_text(content, encoding="utf-8")
    for dst in FORMATS:
        s = screen_file(inp, TINY_RS, tmp_path / f"out{dst}")
        assert (s.read, s.written, s.rejected, s.blank) == counts
        assert read_output(tmp_path / f"out{dst}") == []
        assert len(read_output(tmp_path / f"out.rejects{dst}")) == counts[2]


def test_an_empty_parquet_file(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a.one": pa.array([], pa.string())}), tmp_path / "e.parquet")
    s = screen_file(tmp_path / "e.parquet", TINY_RS, tmp_path / "out.csv")
    assert (s.read, s.written) == (0, 0)
    assert (tmp_path / "out.csv").read_text("utf-8").startswith('"id","row","outcome"')
