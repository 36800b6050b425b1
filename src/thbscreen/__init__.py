"""thbscreen: indicator-based screening of possible victims of trafficking in human beings.

Output supports a trained professional's judgement and never replaces it.

>>> import thbscreen
>>> screener = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))
>>> a = screener.evaluate({"indicators": {"coercion_at_destination.debt_bondage": "present"}})
>>> a.outcome, a.determined
('no_indication', False)
"""

from .assessment import (
    Assessment,
    DimensionResult,
    Evidence,
    FiredIndicator,
    NextQuestion,
    OutcomeRange,
    RuleSetRef,
)
from .errors import (
    CaseDataError,
    ExpressionError,
    NetworkError,
    Problem,
    RuleSetError,
    ThbscreenError,
)
from .explain import DISCLAIMER, render
from .loading import CaseFile, bundled_networks, bundled_rulesets, load_cases, load_ruleset
from .model import Case, Observation, RuleSet
from .referral import NoReferralPath, Pathway, ReferralNetwork, load_network, pathway
from .screening import Screener
from .testing_examples import ExampleResult, run_examples

__all__ = [
    "DISCLAIMER",
    "Assessment",
    "Case",
    "CaseDataError",
    "CaseFile",
    "DimensionResult",
    "Evidence",
    "ExampleResult",
    "ExpressionError",
    "FiredIndicator",
    "NetworkError",
    "NextQuestion",
    "NoReferralPath",
    "Observation",
    "OutcomeRange",
    "Pathway",
    "Problem",
    "ReferralNetwork",
    "RuleSet",
    "RuleSetError",
    "RuleSetRef",
    "Screener",
    "ThbscreenError",
    "bundled_networks",
    "bundled_rulesets",
    "load_cases",
    "load_network",
    "load_ruleset",
    "pathway",
    "render",
    "run_examples",
]

__version__ = "0.1.0"
