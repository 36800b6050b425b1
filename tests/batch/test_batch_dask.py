"""Screening on a dask cluster gives the table the local path gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from click.testing import CliRunner  # noqa: E402

import thbscreen  # noqa: E402
from thbscreen.batch.dask import evaluate, screen_file_on  # noqa: E402
from thbscreen.batch.files import BatchError, screen_file  # noqa: E402
from thbscreen.cli_batch import batch  # noqa: E402
from thbscreen.loading import ruleset_from_text  # noqa: E402

from ..helpers import TINY  # noqa: E402
from ._data import case_of, expected, random_rows, read_output, write_rows  # noqa: E402

ADULT_NAME = "ilo-ec-2009/adult-labour"
ADULT = thbscreen.load_ruleset(ADULT_NAME)
TINY_RS = ruleset_from_text(TINY, "tiny.yaml")


def columns_of(rs: thbscreen.RuleSet) -> list[str]:
    return ["id", *(i.id for i in rs.indicators), *(f.id for f in rs.facts)]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def bad_rows(rs: thbscreen.RuleSet, n: int) -> list[dict[str, Any]]:
    rows = random_rows(rs, n, seed=21)
    rows[3][rs.indicators[0].id] = "maybe"
    rows[n - 2][rs.indicators[1].id] = "42"
    return rows


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_pieces_on_the_cluster_give_the_local_table(
    tmp_path: Path, client: Any, suffix: str
) -> None:
    rows = bad_rows(TINY_RS, 400)
    inp = write_rows(tmp_path / f"in{suffix}", rows, columns_of(TINY_RS))
    with open(inp, "a", encoding="utf-8") as fh:  # a malformed line and a blank one
        if suffix == ".csv":
            fh.write("x,present\n\n")
        elif suffix == ".jsonl":
            fh.write("{oops\n\n")
    local = screen_file(inp, TINY_RS, tmp_path / f"local{suffix}", batch_size=64)
    remote = screen_file_on(
        client, inp, TINY_RS, tmp_path / f"remote{suffix}", batch_size=64, part_bytes=2_000
    )
    assert (remote.read, remote.written, remote.rejected, remote.blank) == (
        local.read,
        local.written,
        local.rejected,
        local.blank,
    )
    assert remote.rejected == (2 if suffix == ".parquet" else 3)
    assert read_output(tmp_path / f"remote{suffix}") == read_output(tmp_path / f"local{suffix}")
    assert read_output(tmp_path / f"remote.rejects{suffix}") == read_output(
        tmp_path / f"local.rejects{suffix}"
    )


def test_the_command_with_a_scheduler_address(tmp_path: Path, client: Any) -> None:
    rows = bad_rows(ADULT, 120)
    inp = write_rows(tmp_path / "in.parquet", rows, columns_of(ADULT))
    address = client.scheduler.address
    result = CliRunner().invoke(
        batch,
        [str(inp), "--rules", ADULT_NAME, "--out", str(tmp_path / "remote.csv"), "--dask", address],
    )
    assert result.exit_code == 1, result.stderr
    assert f"screened on {address}" in result.stdout
    local = CliRunner().invoke(
        batch, [str(inp), "--rules", ADULT_NAME, "--out", str(tmp_path / "local.csv")]
    )
    assert local.exit_code == 1
    assert (tmp_path / "remote.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    assert (tmp_path / "remote.rejects.csv").read_bytes() == (
        tmp_path / "local.rejects.csv"
    ).read_bytes()
    # Every other row equals Screener.evaluate.
    screener = thbscreen.Screener(ADULT)
    good = [(i + 1, r) for i, r in enumerate(rows) if i not in (3, 118)]
    assert read_output(tmp_path / "remote.csv") == [expected(screener, r, n) for n, r in good]


def test_evaluate_a_dask_dataframe(client: Any) -> None:
    rows = bad_rows(TINY_RS, 90)
    df = pd.DataFrame(rows, columns=columns_of(TINY_RS), dtype=object)
    df.index = pd.RangeIndex(1000, 1090)
    ddf = dd.from_pandas(df, npartitions=3)
    lazy = evaluate(ddf, TINY_RS)
    assert list(lazy.columns)[:3] == ["id", "outcome", "outcome_low"]
    assert list(lazy.columns)[-2:] == ["reject_column", "reject"]
    got = lazy.compute()
    assert list(got.index) == list(df.index)
    screener = thbscreen.Screener(TINY_RS)
    for i, row in enumerate(rows):
        record = got.iloc[i]
        if i in (3, 88):
            assert record["reject_column"] == TINY_RS.indicators[0 if i == 3 else 1].id
            assert pd.isna(record["outcome"])
            continue
        assert pd.isna(record["reject"])
        a = screener.evaluate(case_of(TINY_RS, row))
        assert record["outcome"] == a.outcome
        assert (record["outcome_low"], record["outcome_high"]) == tuple(a.outcome_range)
        assert record["score"] == a.score
        assert (record["score_min"], record["score_max"]) == a.score_range
        want = expected(screener, row, i + 1)
        assert record["fired"] == want["fired"]
        assert record["unknown"] == want["unknown"]
        for d in a.dimension_results:
            assert record[f"dimension.{d.id}"] == d.status


def test_evaluate_refuses_unknown_columns_at_once() -> None:
    ddf = dd.from_pandas(pd.DataFrame({"a.one": ["present"], "a.onne": ["absent"]}), npartitions=1)
    with pytest.raises(BatchError, match=r"unknown column 'a\.onne'"):
        evaluate(ddf, TINY_RS)
