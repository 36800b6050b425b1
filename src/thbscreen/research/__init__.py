"""Research tools: how well a rule set screens labelled data, and how rule sets differ.

- :func:`metrics`: sensitivity, specificity, PPV, NPV (also at a stated prevalence),
  Youden's J, accuracy, with Wilson and bootstrap intervals;
- :func:`roc`, :func:`pr_curve`: threshold sweeps over a score, with areas;
- :func:`evaluate`: a rule set on labelled cases, overall and by subgroup;
- :func:`compare`, :func:`ablation`: agreement, Cohen's kappa and McNemar's test
  between rule sets; the effect of dropping each indicator and dimension;
- :func:`synthesize`: SYNTHETIC labelled populations to try all of this on. Never
  real data;
- :func:`render`: reports as text or Markdown; :func:`plot_roc`, :func:`plot_pr`,
  :func:`plot_scores`, :func:`plot_comparison`, :func:`save_figure`;
- :func:`html_report`: one self-contained HTML page with tables and inline SVG figures.

NumPy (the ``research`` extra) is needed for bootstrap intervals and
:func:`synthesize`, matplotlib (the ``plots`` extra) for the plots; both are imported
only when used. ``import thbscreen`` does not import this package.

>>> from thbscreen.research import metrics
>>> m = metrics([1, 1, 0, 0, 0], [1, 0, 0, 0, 1], bootstrap=0)
>>> m.sensitivity.value, round(m.specificity.value, 3)
(0.5, 0.667)
"""

from ._ablation import Ablation, AblationRow, ablation
from ._compare import (
    Comparison,
    Disagreement,
    McNemarResult,
    PairComparison,
    cohen_kappa,
    compare,
    mcnemar,
)
from ._curves import PrCurve, RocCurve, pr_curve, roc
from ._evaluate import BandCount, Cutoff, Evaluation, RowResult, evaluate
from ._html import html_report
from ._metrics import (
    Estimate,
    Metrics,
    PredictiveValues,
    metrics,
    predictive_values,
    wilson_interval,
)
from ._plots import plot_comparison, plot_pr, plot_roc, plot_scores, save_figure
from ._report import render
from ._rows import SYNTHETIC_PREFIX, ResearchInputError, RowFailure, UnreadableRow, read_jsonl
from ._synth import SyntheticPopulation, synthesize

__all__ = [
    "SYNTHETIC_PREFIX",
    "Ablation",
    "AblationRow",
    "BandCount",
    "Comparison",
    "Cutoff",
    "Disagreement",
    "Estimate",
    "Evaluation",
    "McNemarResult",
    "Metrics",
    "PairComparison",
    "PrCurve",
    "PredictiveValues",
    "ResearchInputError",
    "RocCurve",
    "RowFailure",
    "RowResult",
    "SyntheticPopulation",
    "UnreadableRow",
    "ablation",
    "cohen_kappa",
    "compare",
    "evaluate",
    "html_report",
    "mcnemar",
    "metrics",
    "plot_comparison",
    "plot_pr",
    "plot_roc",
    "plot_scores",
    "pr_curve",
    "predictive_values",
    "read_jsonl",
    "render",
    "roc",
    "save_figure",
    "synthesize",
    "wilson_interval",
]
