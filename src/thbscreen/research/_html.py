"""A self-contained HTML report: tables and inlined SVG figures, nothing fetched.

The page needs no network: no scripts, no external style sheets or fonts, no images
by URL; the figures are matplotlib SVG inlined as text. Needs matplotlib.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..explain import DISCLAIMER
from ._compare import Comparison
from ._evaluate import Evaluation
from ._metrics import Estimate, Metrics
from ._plots import _need_matplotlib, figure_svg, plot_comparison, plot_pr, plot_roc, plot_scores
from ._rows import SYNTHETIC_PREFIX, ResearchInputError

__all__ = ["html_report"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
  max-width: 60em; padding: 0 1em; color: #111; line-height: 1.4; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #999; padding: 0.2em 0.6em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.synthetic { background: #fff3cd; border: 2px solid #b8860b; padding: 0.5em 1em; }
.disclaimer { border-left: 4px solid #0072B2; padding: 0.5em 1em; background: #eef5fb; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; } figure svg { max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; color: #000; }
  .synthetic, .disclaimer { background: none; }
  figure, table { page-break-inside: avoid; break-inside: avoid; }
  h2 { page-break-after: avoid; break-after: avoid; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pct(value: float | None) -> str:
    return "undefined" if value is None else f"{100 * value:.1f}%"


def _interval(e: Estimate) -> str:
    if e.low is None or e.high is None:
        return "-"
    return f"{100 * e.low:.1f}% to {100 * e.high:.1f}%"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: int = 1) -> str:
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>"]
    out.append("<tbody>")
    for row in rows:
        cells = "".join(
            f'<td class="n">{_e(c)}</td>' if k >= numeric else f"<td>{_e(c)}</td>"
            for k, c in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _metrics_table(m: Metrics) -> str:
    rows: list[list[str]] = []
    for name, e in (
        ("Sensitivity", m.sensitivity),
        ("Specificity", m.specificity),
        ("PPV", m.ppv),
        ("NPV", m.npv),
        ("Accuracy", m.accuracy),
        ("Prevalence in the data", m.prevalence),
    ):
        counts = f"{e.numerator}/{e.denominator}" if e.denominator is not None else "-"
        rows.append([name, _pct(e.value), _interval(e), e.method, counts])
    j = m.youden_j
    rows.append(
        [
            "Youden's J",
            "undefined" if j.value is None else f"{j.value:.3f}",
            "-" if j.low is None or j.high is None else f"{j.low:.3f} to {j.high:.3f}",
            j.method,
            "-",
        ]
    )
    if m.at_prevalence is not None:
        p = m.at_prevalence
        for name, e in ((f"PPV at prevalence {p.prevalence:g}", p.ppv), ("NPV at it", p.npv)):
            rows.append([name, _pct(e.value), _interval(e), e.method, "-"])
    level = f"{100 * m.confidence:g}% interval"
    table = _table(["Measure", "Value", level, "Method", "Counts"], rows)
    confusion = _table(
        ["", "Label positive", "Label negative"],
        [
            ["Screen positive", str(m.tp), str(m.fp)],
            ["Screen negative", str(m.fn), str(m.tn)],
        ],
    )
    return table + "\n<p>Confusion matrix:</p>\n" + confusion


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _is_synthetic(evaluation: Evaluation, comparison: Comparison | None) -> bool:
    if evaluation.synthetic or (comparison is not None and comparison.synthetic):
        return True
    return any((r.case_id or "").startswith(SYNTHETIC_PREFIX) for r in evaluation.results)


def _evaluation_section(e: Evaluation) -> list[str]:
    out = [
        "<h2>Accuracy</h2>",
        f"<p>Rule set <strong>{_e(e.ruleset.id)}</strong> version {_e(e.ruleset.version)}; "
        f"positive screen: {_e(', '.join(e.positive))}; label: {_e(e.label or '(given)')}; "
        f"band used: {_e(e.use)}.</p>",
        f"<p>{e.rows} rows given, {e.screened} screened, "
        f"<strong>{len(e.failures)} row failures</strong> (rows that could not be "
        "screened; they are not in the measures).</p>",
        _metrics_table(e.metrics),
    ]
    figures: list[str] = []
    if e.roc is not None:
        figures.append(_figure(figure_svg(plot_roc(e)), f"ROC curve (AUC {e.roc.auc:.3f})"))
    if e.pr is not None:
        figures.append(
            _figure(
                figure_svg(plot_pr(e)),
                f"Precision-recall curve (AP {e.pr.average_precision:.3f})",
            )
        )
    if e.results:
        figures.append(_figure(figure_svg(plot_scores(e)), "Score distribution by label"))
    out.append("<h2>Figures</h2>")
    if figures:
        out.append('<div class="figures">' + "\n".join(figures) + "</div>")
    else:
        out.append("<p>No figures: no rows were screened.</p>")
    if e.roc is None:
        out.append("<p>No ROC or precision-recall curve: the labels need both classes.</p>")
    if e.groups:
        out.append(f"<h2>By {_e(e.by)}</h2>")
        rows = [
            [
                name,
                str(m.tp + m.fp + m.tn + m.fn),
                f"{_pct(m.sensitivity.value)} ({_interval(m.sensitivity)})",
                f"{_pct(m.specificity.value)} ({_interval(m.specificity)})",
                f"{_pct(m.ppv.value)} ({_interval(m.ppv)})",
                f"{_pct(m.npv.value)} ({_interval(m.npv)})",
            ]
            for name, m in e.groups
        ]
        out.append(_table([str(e.by), "Rows", "Sensitivity", "Specificity", "PPV", "NPV"], rows))
    if e.outcomes:
        out.append("<h2>Outcome bands by label</h2>")
        out.append(
            _table(
                ["Band", "Positive screen", "Label positive", "Label negative"],
                [
                    [
                        b.band,
                        "yes" if b.positive_screen else "no",
                        str(b.label_positive),
                        str(b.label_negative),
                    ]
                    for b in e.outcomes
                ],
            )
        )
    return out


def _comparison_section(c: Comparison) -> list[str]:
    out = [
        "<h2>Comparison of rule sets</h2>",
        f"<p>{c.rows} rows given, {c.compared} compared, "
        f"<strong>{len(c.failures)} row failures</strong> (rows some rule set could not "
        "screen).</p>",
    ]
    rows = [
        [
            name,
            f"{ref.id} {ref.version}",
            f"{_pct(m.sensitivity.value)} ({_interval(m.sensitivity)})",
            f"{_pct(m.specificity.value)} ({_interval(m.specificity)})",
            f"{_pct(m.ppv.value)} ({_interval(m.ppv)})",
        ]
        for name, ref, m in zip(c.names, c.rulesets, c.metrics, strict=True)
    ]
    out.append(_table(["Name", "Rule set", "Sensitivity", "Specificity", "PPV"], rows, 2))
    out.append(
        _figure(
            figure_svg(plot_comparison(c)),
            "Sensitivity, specificity and PPV per rule set, with intervals",
        )
    )
    if c.pairs:
        pair_rows = [
            [
                f"{p.a} vs {p.b}",
                _pct(p.agreement.value),
                "undefined" if p.kappa is None else f"{p.kappa:.3f}",
                f"{p.mcnemar_sensitivity.p_value:.4g}",
                f"{p.mcnemar_specificity.p_value:.4g}",
            ]
            for p in c.pairs
        ]
        out.append(
            _table(
                ["Pair", "Agreement", "Kappa", "McNemar p (sens.)", "McNemar p (spec.)"],
                pair_rows,
            )
        )
    return out


def html_report(evaluation: Evaluation, comparison: Comparison | None = None) -> str:
    """One self-contained HTML page reporting an evaluation (and, optionally, a comparison).

    Metrics with intervals, ROC, precision-recall and score-distribution figures
    (inline SVG), subgroup table, the count of rows that failed, and the disclaimer.
    The title says SYNTHETIC when the data are. Nothing is loaded from the network.
    """
    _need_matplotlib()
    if not isinstance(evaluation, Evaluation):
        raise ResearchInputError.of("html_report", "evaluation", "expected an Evaluation")
    if comparison is not None and not isinstance(comparison, Comparison):
        raise ResearchInputError.of("html_report", "comparison", "expected a Comparison")
    synthetic = _is_synthetic(evaluation, comparison)
    title = f"thbscreen evaluation: {evaluation.ruleset.id} {evaluation.ruleset.version}"
    if synthetic:
        title = "SYNTHETIC DATA - " + title
    body = [f"<h1>{_e(title)}</h1>"]
    if synthetic:
        body.append(
            '<p class="synthetic"><strong>SYNTHETIC data.</strong> These cases were '
            "generated at random; the figures say nothing about any real population.</p>"
        )
    body.append(f'<p class="disclaimer">{_e(DISCLAIMER)}</p>')
    body.extend(_evaluation_section(evaluation))
    if comparison is not None:
        body.extend(_comparison_section(comparison))
    body.append("<hr>")
    body.append(f'<p class="disclaimer">{_e(DISCLAIMER)}</p>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
