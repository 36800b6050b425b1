"""compare(), cohen_kappa(), mcnemar() and ablation() on hand-labelled cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import thbscreen
from thbscreen.research import (
    ResearchInputError,
    ablation,
    cohen_kappa,
    compare,
    mcnemar,
    render,
)

from .conftest import LABELLED, REFER, TINY_PATH, case

# -- kappa and McNemar -------------------------------------------------------------------


def test_cohen_kappa_textbook_example() -> None:
    # 20 both yes, 5 only A, 10 only B, 15 both no: po 0.7, pe 0.5 -> kappa 0.4.
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b) == 0.4


def test_cohen_kappa_edges() -> None:
    assert cohen_kappa([1, 0, 1], [1, 0, 1]) == 1.0
    assert cohen_kappa([1, 0], [0, 1]) == -1.0
    assert cohen_kappa([1, 1], [1, 1]) is None  # both constant: undefined
    assert cohen_kappa([], []) is None
    with pytest.raises(ResearchInputError):
        cohen_kappa([1], [1, 0])


def test_mcnemar_exact_for_few_discordant_pairs() -> None:
    # 2 * P(X <= 2), X ~ Binomial(12, 1/2) = 2 * 79 / 4096.
    t = mcnemar(10, 2)
    assert t.method == "exact"
    assert t.statistic is None
    assert t.p_value == pytest.approx(158 / 4096)
    assert mcnemar(2, 10).p_value == t.p_value
    assert mcnemar(3, 3).p_value == 1.0
    assert mcnemar(0, 0).p_value == 1.0
    assert mcnemar(0, 5).p_value == pytest.approx(2 / 32)


def test_mcnemar_chi_square_with_continuity_correction() -> None:
    t = mcnemar(30, 10)
    assert t.method == "chi2"
    assert t.statistic == pytest.approx(19**2 / 40)
    # chi2.sf(9.025, df=1) = 2 * (1 - Phi(sqrt(9.025)))
    assert t.p_value == pytest.approx(0.0026634, abs=1e-6)
    assert mcnemar(15, 15).statistic == 0.0
    assert mcnemar(10, 2, exact_below=5).method == "chi2"
    with pytest.raises(ResearchInputError):
        mcnemar(-1, 2)


# -- compare -----------------------------------------------------------------------------


@pytest.fixture
def loose(tmp_path: Path) -> Path:
    """The tiny rule set with `refer` on coercion alone."""
    text = TINY_PATH.read_text(encoding="utf-8")
    text = text.replace('when: "conditions and coercion"', 'when: "coercion"')
    text = text.replace("id: example/tiny", "id: example/tiny-loose").split("\ntests:")[0]
    path = tmp_path / "loose.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def run(rule_sets: Any, cases: Any = LABELLED, **kwargs: Any) -> Any:
    kwargs.setdefault("label", "victim")
    kwargs.setdefault("positive", "refer")
    kwargs.setdefault("bootstrap", 0)
    return compare(rule_sets, cases, **kwargs)


def test_two_rule_sets_by_hand(loose: Path) -> None:
    c = run([TINY_PATH, loose])
    assert c.names == ("example/tiny", "example/tiny-loose")
    p = c.pair("example/tiny", "example/tiny-loose")
    assert (p.both_positive, p.a_only, p.b_only, p.both_negative) == (2, 0, 2, 3)
    assert p.agreement.value == pytest.approx(5 / 7)
    assert p.kappa == pytest.approx(12 / 26)
    assert (p.mcnemar_positive.b, p.mcnemar_positive.c) == (0, 2)
    assert p.mcnemar_positive.p_value == 0.5
    assert (p.mcnemar_sensitivity.b, p.mcnemar_sensitivity.c) == (0, 2)
    assert (p.mcnemar_specificity.b, p.mcnemar_specificity.c) == (0, 0)
    assert p.crosstab == (
        ("refer", "refer", 2),
        ("follow_up", "refer", 2),
        ("no_indication", "no_indication", 3),
    )
    assert [d.case_id for d in c.disagreements] == ["r2", "r5"]
    d = c.disagreements[0]
    assert d.label is True
    assert d.outcomes == (
        ("example/tiny", "follow_up", False),
        ("example/tiny-loose", "refer", True),
    )
    tight, wide = c.metrics
    assert (tight.tp, tight.fp, tight.tn, tight.fn) == (1, 1, 3, 2)
    assert (wide.tp, wide.fp, wide.tn, wide.fn) == (3, 1, 3, 0)
    assert c.agreement_matrix() == [[1.0, pytest.approx(5 / 7)], [pytest.approx(5 / 7), 1.0]]
    assert c.kappa_matrix()[0][1] == pytest.approx(12 / 26)


def test_named_rule_sets_and_positive_per_rule_set(loose: Path) -> None:
    c = run(
        {"strict": TINY_PATH, "loose": loose},
        positive={"strict": ["refer", "follow_up"], "loose": "refer"},
    )
    assert c.names == ("strict", "loose")
    assert c.positive == (("refer", "follow_up"), ("refer",))
    with pytest.raises(ResearchInputError, match="no positive bands given for 'loose'"):
        run({"strict": TINY_PATH, "loose": loose}, positive={"strict": "refer"})


def test_the_same_rule_set_twice_gets_distinct_names(tiny: thbscreen.RuleSet) -> None:
    c = run([tiny, tiny])
    assert c.names == ("example/tiny@0.1.0#1", "example/tiny@0.1.0#2")
    assert c.pairs[0].kappa == 1.0
    assert c.disagreements == ()


def test_shared_positive_bands_must_exist_in_every_rule_set() -> None:
    with pytest.raises(ResearchInputError, match="no outcome band 'victim'"):
        run([TINY_PATH, "ilo-ec-2009/adult-labour"], positive="victim")
    with pytest.raises(ResearchInputError, match="no rule set has an outcome band 'refr'"):
        run([TINY_PATH, TINY_PATH], positive=["refer", "refr"])
    with pytest.raises(ResearchInputError, match="at least two"):
        run([TINY_PATH])
    with pytest.raises(ResearchInputError, match="several"):
        run("ilo-ec-2009/adult-labour")


def test_a_row_one_rule_set_cannot_screen_fails_for_the_comparison(loose: Path) -> None:
    row = case("extra", REFER, victim=True)
    row["indicators"]["act.recruited"] = "present"
    c = run([TINY_PATH, loose], [*LABELLED, row, case("nolabel")])
    assert (c.rows, c.compared) == (9, 7)
    reasons = {f.index: f.reason for f in c.failures}
    assert reasons[7].startswith("example/tiny: ")
    assert "unknown indicator" in reasons[7]
    assert "no label" in reasons[8]
    ignored = run([TINY_PATH, loose], [*LABELLED, row], undeclared="ignore")
    assert ignored.compared == 8


def test_comparison_to_dict_and_rendering(loose: Path) -> None:
    c = compare([TINY_PATH, loose], LABELLED, label="victim", positive="refer", bootstrap=100)
    data = json.loads(json.dumps(c.to_dict(), allow_nan=False))
    assert data["format"] == "thbscreen-comparison/1"
    assert data["rulesets"][1]["metrics"]["confusion"]["tp"] == 3
    assert len(data["disagreements"]) == 2
    text = render(c)
    assert "Comparison of 2 rule sets" in text
    assert "example/tiny / example/tiny-loose" in text
    assert "Rows where the screen results differ (2)" in text
    assert "refer +" in text
    assert render(c, "markdown").startswith("## Comparison of 2 rule sets")


# -- ablation ----------------------------------------------------------------------------


def test_ablation_by_hand() -> None:
    a = ablation(TINY_PATH, LABELLED, label="victim", positive="refer")
    assert a.outcomes == (("refer", 2), ("follow_up", 2), ("no_indication", 3))
    coercion = a.variant("dimension", "coercion")
    assert (coercion.present, coercion.changed, coercion.lowered, coercion.raised) == (4, 4, 4, 0)
    assert coercion.outcomes == (("refer", 0), ("follow_up", 2), ("no_indication", 5))
    assert coercion.delta_sensitivity == pytest.approx(-1 / 3)
    assert coercion.delta_specificity == pytest.approx(1 / 4)
    assert coercion.delta_accuracy == pytest.approx(0.0)
    housing = a.variant("indicator", "conditions.bad_housing")
    assert (housing.present, housing.changed) == (1, 0)
    threats = a.variant("indicator", "coercion.threats")
    assert (threats.present, threats.changed, threats.lowered) == (1, 1, 1)
    hours = a.variant("indicator", "conditions.excessive_hours")
    assert hours.changed == 2
    assert hours.outcomes == (("refer", 0), ("follow_up", 4), ("no_indication", 3))
    assert len(a.variants) == 6 + 2


def test_ablation_of_a_derived_indicator_overrides_the_facts() -> None:
    row = case("f", ("low_pay", "documents_kept"), victim=True)
    del row["indicators"]["conditions.excessive_hours"]
    row["facts"] = {"weekly_hours": 80}
    a = ablation(TINY_PATH, [row], label="victim", positive="refer", dimensions=False)
    assert a.outcomes[0] == ("refer", 1)
    hours = a.variant("indicator", "conditions.excessive_hours")
    assert (hours.present, hours.changed) == (1, 1)


def test_ablation_without_labels_and_with_progress() -> None:
    calls: list[tuple[int, int]] = []
    a = ablation(TINY_PATH, LABELLED, indicators=False, progress=lambda d, t: calls.append((d, t)))
    assert a.metrics is None
    assert [v.kind for v in a.variants] == ["dimension", "dimension"]
    assert calls == [(1, 2), (2, 2)]
    assert a.variants[0].delta_accuracy is None
    with pytest.raises(ResearchInputError, match="positive"):
        ablation(TINY_PATH, LABELLED, label="victim")


def test_ablation_reports_failures_and_renders() -> None:
    a = ablation(TINY_PATH, [*LABELLED, case("nolabel")], label="victim", positive="refer")
    assert (a.rows, a.screened) == (8, 7)
    data = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert data["variants"][0]["kind"] == "indicator"
    text = render(a)
    assert text.splitlines()[0] == "Ablation of example/tiny 0.1.0"
    # Dimensions first, then by how many outcomes changed.
    body = text.split("accuracy change")[1]
    assert body.index("dimension coercion") < body.index("indicator coercion.threats")
    assert "-33.3" in text
    assert "row 7: no label" in text


def test_labels_as_a_sequence_with_a_bad_last_row(loose: Path) -> None:
    rows = [*(dict(c) for c in LABELLED), "not a case"]
    labels = [c["victim"] for c in LABELLED] + [True]
    c = run([TINY_PATH, loose], rows, label=labels)
    assert (c.rows, c.compared) == (8, 7)
    assert "disagreements" not in repr(c)
