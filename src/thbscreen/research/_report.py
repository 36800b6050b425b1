"""Text and Markdown views of evaluations, comparisons and ablations (JSON: ``to_dict``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ._ablation import Ablation
from ._compare import Comparison, McNemarResult
from ._evaluate import Evaluation
from ._metrics import Estimate, Metrics
from ._rows import ResearchInputError, RowFailure

__all__ = ["render"]

MAX_LISTED = 20


def render(result: Evaluation | Comparison | Ablation, fmt: str = "text") -> str:
    """``result`` as ``text``, ``markdown`` or ``json`` (its ``to_dict()``, indented)."""
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt not in ("text", "markdown"):
        raise ResearchInputError.of(
            "render", "fmt", f"expected text, markdown or json, got {fmt!r}"
        )
    md = fmt == "markdown"
    if isinstance(result, Evaluation):
        lines = _evaluation(result, md)
    elif isinstance(result, Comparison):
        lines = _comparison(result, md)
    elif isinstance(result, Ablation):
        lines = _ablation(result, md)
    else:
        raise ResearchInputError.of(
            "render",
            "result",
            f"expected an Evaluation, Comparison or Ablation, got {type(result).__name__}",
        )
    return "\n".join(lines).rstrip("\n") + "\n"


# -- pieces ------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _interval(e: Estimate, percent: bool = True) -> str:
    if e.low is None or e.high is None:
        return ""
    if percent:
        return f"[{100 * e.low:.1f}, {100 * e.high:.1f}]"
    return f"[{e.low:.3f}, {e.high:.3f}]"


def _value(e: Estimate, percent: bool = True) -> str:
    if e.value is None:
        return "undefined"
    return _pct(e.value) if percent else _num(e.value)


def _with_interval(e: Estimate, percent: bool = True) -> str:
    iv = _interval(e, percent)
    return _value(e, percent) + (f" {iv}" if iv else "")


def _how(e: Estimate) -> str:
    counts = f", {e.numerator}/{e.denominator}" if e.denominator is not None else ""
    return {"wilson": "Wilson", "bootstrap": "bootstrap", "bayes": "Bayes", "none": "-"}.get(
        e.method, e.method
    ) + counts


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], md: bool, right: Sequence[int] = ()
) -> list[str]:
    if md:
        cells = [[c.replace("|", "\\|") for c in r] for r in rows]
        align = ["---:" if k in right else "---" for k in range(len(headers))]
        return [
            "| " + " | ".join(headers) + " |",
            "|" + "|".join(align) + "|",
            *("| " + " | ".join(r) + " |" for r in cells),
            "",
        ]
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(headers)]

    def line(r: Sequence[str]) -> str:
        return (
            "  "
            + "  ".join(
                c.rjust(widths[k]) if k in right else c.ljust(widths[k]) for k, c in enumerate(r)
            ).rstrip()
        )

    return [line(headers), *(line(r) for r in rows), ""]


def _heading(text: str, md: bool, level: int = 3) -> list[str]:
    return [f"{'#' * level} {text}", ""] if md else [text]


def _synthetic(synthetic: int, rows: int, md: bool) -> list[str]:
    if not synthetic:
        return []
    share = f"all {rows}" if synthetic == rows else f"{synthetic} of the {rows}"
    text = (
        f"{share} rows are SYNTHETIC (made by thbscreen synth), not real cases: "
        "these figures describe the generator, not any population."
    )
    return [f"> **Note:** {text}", ""] if md else [f"NOTE: {text}", ""]


def _failures(failures: Sequence[RowFailure], md: bool) -> list[str]:
    if not failures:
        return []
    out = _heading(f"Rows that could not be screened ({len(failures)})", md)
    for f in failures[:MAX_LISTED]:
        where = f"line {f.line}" if f.line is not None else f"row {f.index}"
        out.append(f"{'- ' if md else '  '}{where}: {f.reason}")
    if len(failures) > MAX_LISTED:
        out.append(
            f"{'- ' if md else '  '}... and {len(failures) - MAX_LISTED} more (all are in the JSON output)"
        )
    out.append("")
    if any("unknown indicator" in f.reason or "unknown fact" in f.reason for f in failures):
        out += [
            "Ids a rule set does not declare can be left out instead (--ignore-undeclared, "
            'or undeclared="ignore" in Python); the report then counts them.',
            "",
        ]
    return out


def _measures(m: Metrics, md: bool) -> list[str]:
    rows = [
        ["Sensitivity", _value(m.sensitivity), _interval(m.sensitivity), _how(m.sensitivity)],
        ["Specificity", _value(m.specificity), _interval(m.specificity), _how(m.specificity)],
        ["PPV", _value(m.ppv), _interval(m.ppv), _how(m.ppv)],
        ["NPV", _value(m.npv), _interval(m.npv), _how(m.npv)],
        ["Accuracy", _value(m.accuracy), _interval(m.accuracy), _how(m.accuracy)],
        [
            "Youden's J",
            _value(m.youden_j, False),
            _interval(m.youden_j, False),
            _how(m.youden_j),
        ],
        ["LR+", _num(m.lr_positive, 2), "", "sens / (1 - spec)"],
        ["LR-", _num(m.lr_negative, 2), "", "(1 - sens) / spec"],
    ]
    level = f"{100 * m.confidence:g}% interval"
    out = _table(["measure", "estimate", level, "method"], rows, md, right=(1,))
    if m.at_prevalence is not None:
        at = m.at_prevalence
        out += [
            f"At a stated prevalence of {_pct(at.prevalence)} (Bayes' theorem): "
            f"PPV {_with_interval(at.ppv)}, NPV {_with_interval(at.npv)}.",
            "",
        ]
    how = "Wilson score intervals for proportions"
    if m.bootstrap:
        how += (
            f"; percentile bootstrap ({m.bootstrap} resamples, seed {m.seed}) for PPV, NPV, "
            "J and the values at a stated prevalence"
        )
    out += [how + ".", ""]
    return out


def _confusion(m: Metrics, md: bool) -> list[str]:
    rows = [
        ["screen positive", f"{m.tp} (tp)", f"{m.fp} (fp)"],
        ["screen negative", f"{m.fn} (fn)", f"{m.tn} (tn)"],
    ]
    return _table(["", "label positive", "label negative"], rows, md, right=(1, 2))


# -- evaluation ----------------------------------------------------------------------------


def _evaluation(e: Evaluation, md: bool) -> list[str]:
    m = e.metrics
    label = f"the label {e.label!r}" if e.label else "the given labels"
    out = _heading(f"Evaluation of {e.ruleset.id} {e.ruleset.version} against {label}", md, 2)
    out += _synthetic(e.synthetic, e.rows, md)
    bands = " or ".join(e.positive)
    which = {
        "outcome": "outcome",
        "range_high": "most severe reachable band",
        "range_low": "least severe reachable band",
    }[e.use]
    failed = f", {len(e.failures)} failed (listed below)" if e.failures else ", 0 failed"
    out += [
        f"Rows: {e.rows} given, {e.screened} screened{failed}.",
        f"Positive screen: {which} {bands}.",
        f"Labelled positive: {m.positives} of {m.n} (prevalence in the data "
        f"{_with_interval(m.prevalence)}).",
        "",
    ]
    if e.ignored:
        ids = ", ".join(f"{k} ({v})" for k, v in e.ignored[:MAX_LISTED])
        out += [f"Ignored ids the rule set does not declare (rows): {ids}.", ""]
    out += _measures(m, md)
    out += _confusion(m, md)
    rows = [
        [
            b.band + (" (positive)" if b.positive_screen else ""),
            str(b.label_positive),
            str(b.label_negative),
        ]
        for b in e.outcomes
    ]
    out += _table(["outcome band", "label positive", "label negative"], rows, md, right=(1, 2))
    out += [
        f"Determined: {e.determined} of {e.screened} outcomes; {e.could_be_positive} negative "
        "screens could turn positive once their unknowns are answered.",
        "",
    ]
    if e.cutoffs:
        out += _heading(
            "Cut-offs on the outcome bands (positive: this band or a more severe one)", md
        )
        rows = [
            [c.band, _pct(c.sensitivity), _pct(c.specificity), _num(c.youden_j)] for c in e.cutoffs
        ]
        out += _table(["at least", "sensitivity", "specificity", "J"], rows, md, right=(1, 2, 3))
    if e.roc is not None and e.pr is not None:
        threshold, j = e.roc.best_threshold()
        best = "nobody" if threshold == float("inf") else f"score >= {threshold:g}"
        out += [
            f"Bands as an ordinal score: ROC AUC {_num(e.band_auc)}. Rule-set score: ROC AUC "
            f"{_num(e.roc.auc)} (best cut-off {best}, J {_num(j)}); PR AUC {_num(e.pr.auc)}, "
            f"average precision {_num(e.pr.average_precision)}.",
            "",
        ]
    else:
        out += ["ROC and PR curves need both positive and negative labels.", ""]
    if e.groups:
        out += _heading(f"By {e.by}", md)
        rows = [
            [
                name,
                str(g.n),
                _pct(g.prevalence.value),
                _with_interval(g.sensitivity),
                _with_interval(g.specificity),
                _with_interval(g.ppv),
                _with_interval(g.npv),
            ]
            for name, g in e.groups
        ]
        out += _table(
            [str(e.by), "rows", "prevalence", "sensitivity", "specificity", "PPV", "NPV"],
            rows,
            md,
            right=(1, 2),
        )
    out += _failures(e.failures, md)
    return out


# -- comparison ----------------------------------------------------------------------------


def _p(t: McNemarResult) -> str:
    p = "p < 0.001" if t.p_value < 0.001 else f"p = {t.p_value:.3f}"
    return f"{t.b} vs {t.c}, {p} ({t.method})"


def _comparison(c: Comparison, md: bool) -> list[str]:
    out = _heading(f"Comparison of {len(c.names)} rule sets", md, 2)
    out += _synthetic(c.synthetic, c.rows, md)
    failed = f", {len(c.failures)} failed (listed below)" if c.failures else ""
    out += [
        f"Rows: {c.rows} given, {c.compared} screened by every rule set{failed}.",
        "",
    ]
    rows = []
    for name, ref, pos, m in zip(c.names, c.rulesets, c.positive, c.metrics, strict=True):
        rows.append(
            [
                name,
                ref.version,
                " or ".join(pos),
                _with_interval(m.sensitivity),
                _with_interval(m.specificity),
                _with_interval(m.ppv),
                _with_interval(m.npv),
                _num(m.youden_j.value),
            ]
        )
    out += _table(
        ["rule set", "version", "positive", "sensitivity", "specificity", "PPV", "NPV", "J"],
        rows,
        md,
    )
    out += _heading("Pairs", md)
    rows = [
        [
            f"{p.a} / {p.b}",
            _with_interval(p.agreement),
            _num(p.kappa),
            f"{p.a_only} / {p.b_only}",
            _p(p.mcnemar_sensitivity),
            _p(p.mcnemar_specificity),
        ]
        for p in c.pairs
    ]
    out += _table(
        [
            "pair",
            "agreement",
            "kappa",
            "only a / only b positive",
            "sensitivity (McNemar)",
            "specificity (McNemar)",
        ],
        rows,
        md,
    )
    out += [
        "McNemar: discordant rows where only the first / only the second rule set is right, "
        "among rows labelled positive (sensitivity) or negative (specificity).",
        "",
    ]
    if c.disagreements:
        out += _heading(f"Rows where the screen results differ ({len(c.disagreements)})", md)
        rows = [
            [
                str(d.case_id if d.case_id is not None else f"row {d.index}"),
                "positive" if d.label else "negative",
                *(o + (" +" if p else "") for _, o, p in d.outcomes),
            ]
            for d in c.disagreements[:MAX_LISTED]
        ]
        out += _table(["case", "label", *c.names], rows, md)
        if len(c.disagreements) > MAX_LISTED:
            out += [
                f"... and {len(c.disagreements) - MAX_LISTED} more (all are in the JSON output); "
                "+ marks a positive screen.",
                "",
            ]
        else:
            out += ["+ marks a positive screen.", ""]
    elif c.compared:
        out += ["The rule sets give the same screen result on every row.", ""]
    else:
        out += ["No row could be screened by every rule set.", ""]
    out += _failures(c.failures, md)
    return out


# -- ablation ------------------------------------------------------------------------------


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:+.1f}"


def _ablation(a: Ablation, md: bool) -> list[str]:
    out = _heading(f"Ablation of {a.ruleset.id} {a.ruleset.version}", md, 2)
    out += [
        f"Rows: {a.rows} given, {a.screened} screened. Baseline outcomes: "
        + ", ".join(f"{b} {k}" for b, k in a.outcomes)
        + ".",
        "",
    ]
    labelled = a.metrics is not None
    headers = ["dropped", "present in", "changed", "lowered", "raised"]
    if labelled:
        headers += ["sens. change", "spec. change", "accuracy change"]
    variants = sorted(a.variants, key=lambda v: (v.kind != "dimension", -v.changed, v.id))
    rows = []
    for v in variants:
        row = [f"{v.kind} {v.id}", str(v.present), str(v.changed), str(v.lowered), str(v.raised)]
        if labelled:
            row += [
                _signed(v.delta_sensitivity),
                _signed(v.delta_specificity),
                _signed(v.delta_accuracy),
            ]
        rows.append(row)
    out += _table(headers, rows, md, right=tuple(range(1, len(headers))))
    if labelled:
        out += ["Changes are in percentage points, against the baseline.", ""]
    out += _failures(a.failures, md)
    return out
