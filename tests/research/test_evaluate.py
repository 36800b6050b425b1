"""evaluate(): hand-labelled cases of the tiny rule set, subgroups, and every row accounted for."""

from __future__ import annotations

import json
from typing import Any

import pytest

import thbscreen
from thbscreen.research import (
    ResearchInputError,
    RowFailure,
    UnreadableRow,
    evaluate,
    read_jsonl,
    render,
)

from .conftest import LABELLED, NOTHING, REFER, TINY_PATH, case


def run(cases: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("label", "victim")
    kwargs.setdefault("positive", "refer")
    kwargs.setdefault("bootstrap", 0)
    return evaluate(TINY_PATH, cases, **kwargs)


def test_metrics_by_hand() -> None:
    e = run(LABELLED)
    m = e.metrics
    assert (m.tp, m.fp, m.tn, m.fn) == (1, 1, 3, 2)
    assert m.sensitivity.value == pytest.approx(1 / 3)
    assert m.specificity.value == pytest.approx(3 / 4)
    assert m.ppv.value == pytest.approx(1 / 2)
    assert m.npv.value == pytest.approx(3 / 5)
    assert (e.rows, e.screened, e.failures) == (7, 7, ())
    assert e.positive == ("refer",)
    assert e.label == "victim"


def test_two_positive_bands() -> None:
    m = run(LABELLED, positive={"refer", "follow_up"}).metrics
    assert (m.tp, m.fp, m.tn, m.fn) == (3, 1, 3, 0)


def test_outcomes_by_label_and_cutoffs() -> None:
    e = run(LABELLED)
    counts = {b.band: (b.label_positive, b.label_negative, b.positive_screen) for b in e.outcomes}
    assert counts == {
        "refer": (1, 1, True),
        "follow_up": (2, 0, False),
        "no_indication": (0, 3, False),
    }
    cut = {c.band: (c.sensitivity, c.specificity) for c in e.cutoffs}
    assert cut["refer"] == pytest.approx((1 / 3, 3 / 4))
    assert cut["follow_up"] == pytest.approx((1.0, 3 / 4))
    assert e.cutoffs[1].youden_j == pytest.approx(0.75)


def test_score_and_band_sweeps_by_hand() -> None:
    e = run(LABELLED)
    # Scores: positives 8, 3, 4; negatives 8, 0, 3, 0 -> Mann-Whitney 9 / 12.
    assert e.roc is not None
    assert e.roc.auc == pytest.approx(0.75)
    # Band ranks: positives 2, 1, 1; negatives 2, 0, 0, 0 -> 9.5 / 12.
    assert e.band_auc == pytest.approx(9.5 / 12)
    assert e.pr is not None
    assert e.pr.positives == 3


def test_subgroups_from_a_field_and_missing_values() -> None:
    e = run(LABELLED, by="sex")
    assert [name for name, _ in e.groups] == ["female", "male", "(missing)"]
    female = e.group("female")
    assert (female.tp, female.fp, female.tn, female.fn) == (1, 0, 1, 1)
    assert e.group("(missing)").n == 1
    with pytest.raises(KeyError):
        e.group("other")


def test_subgroups_from_a_fact() -> None:
    rows = [
        {**case("a", REFER, victim=True), "facts": {"sector": "agriculture"}},
        {**case("b", NOTHING, victim=False), "facts": {"sector": "construction"}},
        {**case("c", NOTHING, victim=True), "facts": {"sector": "agriculture"}},
    ]
    e = run(rows, by="sector")
    assert [name for name, _ in e.groups] == ["agriculture", "construction"]
    assert e.group("agriculture").n == 2


def test_labels_as_a_separate_sequence() -> None:
    cases = [{k: v for k, v in c.items() if k in ("id", "indicators")} for c in LABELLED]
    labels = [c["victim"] for c in LABELLED]
    e = run(cases, label=labels)
    assert e.label is None
    assert e.metrics.to_dict() == run(LABELLED).metrics.to_dict()
    with pytest.raises(ResearchInputError, match="6 labels for 7 rows"):
        run(cases, label=labels[:-1])
    with pytest.raises(ResearchInputError, match="8 labels for 7 rows"):
        run(cases, label=[*labels, True])


def test_thbscreen_case_objects() -> None:
    cases = [thbscreen.Case(c["id"], {}, c["indicators"]) for c in LABELLED]
    e = run(cases, label=[c["victim"] for c in LABELLED])
    assert (e.metrics.tp, e.metrics.fn) == (1, 2)


def test_every_row_is_accounted_for() -> None:
    rows: list[Any] = [
        *LABELLED,
        {**case("bad-indicator", REFER, victim=True), "indicators": {"coercion.nope": "present"}},
        case("no-label", REFER),
        case("odd-label", REFER, victim="yes"),
        UnreadableRow("invalid JSON (Expecting value at column 1)", line=12),
        "not a mapping",
        {"id": "typo", "victim": True, "indicator": {"coercion.threats": "present"}},
        {**case("bad-fact", NOTHING, victim=False), "facts": {"weekly_hours": "many"}},
    ]
    e = run(rows)
    assert e.rows == 14
    assert e.screened == 7
    got = {f.index: f for f in e.failures}
    assert sorted(got) == [7, 8, 9, 10, 11, 12, 13]
    assert "unknown indicator 'coercion.nope'" in got[7].reason
    assert got[7].case_id == "bad-indicator"
    assert "no field 'victim'" in got[8].reason
    assert "must be true or false" in got[9].reason
    assert "a string" in got[9].reason
    assert got[10].line == 12
    assert "invalid JSON" in got[10].reason
    assert "expected a case" in got[11].reason
    assert "did you mean 'indicators'" in got[12].reason
    assert "$.facts.weekly_hours" in got[13].reason
    # Case values never appear in the reasons.
    assert all("many" not in f.reason and "'yes'" not in f.reason for f in e.failures)
    assert (e.metrics.tp, e.metrics.fp, e.metrics.tn, e.metrics.fn) == (1, 1, 3, 2)


def test_use_the_outcome_range() -> None:
    # Coercion present, conditions unknown: outcome follow_up, could reach refer.
    open_case = case("open", ("documents_kept",), victim=True)
    for i in ("conditions.low_pay", "conditions.bad_housing", "conditions.excessive_hours"):
        open_case["indicators"][i] = "unknown"
    rows = [open_case, case("no", NOTHING, victim=False)]
    observed = run(rows)
    assert (observed.metrics.tp, observed.metrics.fn) == (0, 1)
    assert observed.could_be_positive == 1
    assert observed.determined == 1
    high = run(rows, use="range_high")
    assert (high.metrics.tp, high.metrics.fn) == (1, 0)
    assert high.could_be_positive == 0
    with pytest.raises(ResearchInputError, match="range_high"):
        run(rows, use="best")


def test_undeclared_ids_fail_or_are_ignored_and_counted() -> None:
    row = case("x", REFER, victim=True)
    row["indicators"]["act.recruited"] = "present"
    row["facts"] = {"age": 15}
    assert run([row]).failures[0].index == 0
    e = run([row], undeclared="ignore")
    assert e.failures == ()
    assert dict(e.ignored) == {"act.recruited": 1, "age": 1}
    assert e.metrics.tp == 1


def test_unknown_positive_band_suggests_the_right_one() -> None:
    with pytest.raises(ResearchInputError) as info:
        run(LABELLED, positive="refr")
    assert "has no outcome band 'refr' (did you mean 'refer'?)" in str(info.value)
    assert "refer, follow_up, no_indication" in str(info.value)
    with pytest.raises(ResearchInputError):
        run(LABELLED, positive=[])


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"label": "indicators"}, "cannot be the case key"),
        ({"label": {"a": 1}}, "got a mapping"),
        ({"undeclared": "drop"}, "expected error or ignore"),
        ({"prevalence": 2}, "strictly between 0 and 1"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ResearchInputError, match=fragment):
        run(LABELLED, **kwargs)


def test_one_case_instead_of_a_list_is_refused() -> None:
    with pytest.raises(ResearchInputError, match="wrap it in a list"):
        run(LABELLED[0])


def test_accepts_a_screener_a_rule_set_and_a_generator(
    tiny: thbscreen.RuleSet, tiny_screener: thbscreen.Screener
) -> None:
    a = evaluate(tiny, iter(LABELLED), label="victim", positive="refer", bootstrap=0)
    b = evaluate(
        tiny_screener, (c for c in LABELLED), label="victim", positive="refer", bootstrap=0
    )
    assert a.to_dict() == b.to_dict()
    assert a.ruleset.id == "example/tiny"


def test_one_label_class_leaves_the_curves_out() -> None:
    e = run([case("a", REFER, victim=True)])
    assert e.roc is None
    assert e.pr is None
    assert e.band_auc is None
    assert e.metrics.specificity.value is None
    assert "need both positive and negative labels" in render(e)


def test_no_rows_at_all() -> None:
    e = run([])
    assert e.rows == 0
    assert e.metrics.n == 0


def test_to_dict_and_rendering() -> None:
    e = evaluate(
        TINY_PATH,
        LABELLED,
        label="victim",
        positive="refer",
        by="sex",
        prevalence=0.05,
        bootstrap=200,
    )
    data = json.loads(json.dumps(e.to_dict(results=True), allow_nan=False))
    assert data["format"] == "thbscreen-evaluation/1"
    assert data["metrics"]["confusion"] == {"tp": 1, "fp": 1, "tn": 3, "fn": 2}
    assert data["groups"]["female"]["n"] == 3
    assert len(data["results"]) == 7
    assert data["results"][0]["outcome"] == "refer"
    assert "results" not in e.to_dict()
    text = render(e)
    assert "Sensitivity" in text
    assert "33.3%" in text
    assert "At a stated prevalence of 5.0%" in text
    assert "By sex" in text
    assert "SYNTHETIC" not in text
    md = render(e, "markdown")
    assert md.startswith("## Evaluation of example/tiny")
    assert "| Sensitivity | 33.3% |" in md
    assert json.loads(render(e, "json"))["rows"] == 7
    with pytest.raises(ResearchInputError):
        render(e, "html")


def test_failures_are_listed_in_the_report() -> None:
    rows = [*LABELLED, *(case(f"n{i}", REFER) for i in range(25))]
    e = run(rows)
    text = render(e)
    assert "Rows that could not be screened (25)" in text
    assert "row 7: no label" in text
    assert "... and 5 more" in text
    assert isinstance(e.failures[0], RowFailure)


def test_read_jsonl_keeps_bad_lines_as_unreadable_rows(tmp_path: Any) -> None:
    path = tmp_path / "c.jsonl"
    good = json.dumps(case("a", REFER, victim=True))
    path.write_text(f"{good}\n\n{{not json\n{good}\n", encoding="utf-8")
    rows = read_jsonl(path)
    assert len(rows) == 3
    assert isinstance(rows[1], UnreadableRow)
    assert rows[1].line == 3
    e = run(rows)
    assert e.failures[0].line == 3
    assert e.failures[0].index == 1
    with pytest.raises(thbscreen.CaseDataError, match="cannot read file"):
        read_jsonl(tmp_path / "missing.jsonl")


def test_read_jsonl_does_not_split_inside_strings(tmp_path: Any) -> None:
    row = case("a\u2028b", REFER, victim=True)
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_jsonl(path) == [row]


def test_labels_stay_out_of_the_repr() -> None:
    e = run(LABELLED)
    assert "r0" not in repr(e)
    assert "results" not in repr(e)
