"""Load rule sets and case files: by bundled name or by path, YAML or JSON."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
from attrs import frozen

from ._analysis import analyze
from ._convert import content_hash, converter, structure_problems
from ._language.suggest import did_you_mean
from ._yaml import Located, read_located
from .errors import Problem, RuleSetError, ThbscreenError
from .model import Case, Observation, RuleSet, Text

__all__ = [
    "CaseFile",
    "bundled_networks",
    "bundled_rules_dir",
    "bundled_rulesets",
    "load_cases",
    "load_ruleset",
]

_SUFFIXES = (".yaml", ".yml", ".json")
#: Folders of rules/ that hold other kinds of file than rule sets.
NOT_RULESETS = frozenset({"schema", "referral", "interop"})
_NAME_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def bundled_rules_dir() -> Path:
    """Where the bundled rule files are: inside the wheel, or the source tree's rules/."""
    packaged = Path(str(resources.files("thbscreen"))) / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def _bundled(keep: Callable[[str], bool]) -> list[str]:
    root = bundled_rules_dir()
    names = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.suffix in _SUFFIXES and rel.parts[0] != "schema" and keep(rel.parts[0]):
            names.append(rel.with_suffix("").as_posix())
    return names


def expand_rule_paths(items: Iterable[str]) -> Iterator[str]:
    """Names and files as given; folders become the rule-set files under them (not
    schemas, networks or interop mappings)."""
    for item in items:
        path = Path(item)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                rel = f.relative_to(path).parts
                if f.suffix in _SUFFIXES and not (NOT_RULESETS & set(rel[:-1])):
                    yield str(f)
        else:
            yield item


def bundled_rulesets() -> list[str]:
    """Names of the bundled rule sets, such as ``ilo-ec-2009/adult-labour``."""
    return _bundled(lambda top: top not in NOT_RULESETS)


def bundled_networks() -> list[str]:
    """Names of the bundled referral networks, such as ``referral/slovenia``."""
    return _bundled(lambda top: top == "referral")


def _fields(cls: type) -> list[str]:
    return [
        a.name.rstrip("_") for a in attrs.fields(cls) if a.init and a.name not in ("source", "hash")
    ]


def structure(located: Located, cls: type[Any], error: type[ThbscreenError] = RuleSetError) -> Any:
    data = located.data
    if not isinstance(data, dict):
        raise error(
            located.problem(
                f"expected a mapping at the top of the file, got {type(data).__name__}", ()
            )
        )
    try:
        return converter().structure(data, cls)
    except Exception as exc:  # cattrs raises exception groups of many kinds
        problems = [
            located.problem(message, path, key=at_key)
            for path, at_key, message in structure_problems(exc, _fields)
        ]
        raise error(problems or [located.problem(str(exc), ())]) from None


def _plain_name(text: str) -> bool:
    """A relative name like ``group/name``: no absolute path, no ``..``, nothing odd."""
    parts = text.split("/")
    return all(_NAME_PART.fullmatch(part) and part not in (".", "..") for part in parts)


def resolve_path(
    name_or_path: str | os.PathLike[str],
    known: list[str] | Callable[[], list[str]],
    what: str = "rule set",
    error: type[ThbscreenError] = RuleSetError,
    root: Path | None = None,
    accept: Callable[[str], bool] | None = None,
) -> Path:
    """A file path, or the bundled file of that name under ``root`` (default: the
    bundled rules); else one error listing the names.

    With ``accept`` (which names are of this kind, by their first folder), a bundled
    name is found without listing every bundled file; ``known`` (a list, or a function
    that lists) then serves only the error message.
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    text = str(name_or_path)
    root = root if root is not None else bundled_rules_dir()
    fast = accept is not None and _plain_name(text) and accept(text)
    names = None
    if not fast:
        names = known() if callable(known) else known
    if fast or (names is not None and text in names):
        for suffix in _SUFFIXES:
            candidate = root / (text + suffix)
            if candidate.is_file():
                return candidate
    if names is None:
        names = known() if callable(known) else known
    raise error(
        Problem(
            f"no file at this path and no bundled {what} of this name; bundled: "
            f"{', '.join(names) or 'none'}{did_you_mean(text, names)}",
            source=text,
        )
    )


def is_ruleset_name(text: str) -> bool:
    """Whether a bundled name is a rule set's (not a schema, network or mapping)."""
    return "/" in text and text.split("/", 1)[0] not in NOT_RULESETS


def load_ruleset(name_or_path: str | os.PathLike[str]) -> RuleSet:
    """Load, validate and hash a rule set given by bundled name or file path.

    Raises :class:`RuleSetError` listing every problem, each with file, line, column
    and path.
    """
    path = resolve_path(name_or_path, bundled_rulesets, accept=is_ruleset_name)
    located = read_located(path)
    return ruleset_from_located(located)


def ruleset_from_located(located: Located) -> RuleSet:
    ruleset: RuleSet = structure(located, RuleSet)
    ruleset = attrs.evolve(ruleset, source=located.source)
    analysis = analyze(ruleset, located)
    ruleset = attrs.evolve(ruleset, hash=content_hash(ruleset))
    # The analysis refers to the rule set only through its content, which evolve kept.
    ruleset._analysis.append(attrs.evolve(analysis, ruleset=ruleset))
    return ruleset


def ruleset_from_text(text: str | bytes, source: str = "<input>") -> RuleSet:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return ruleset_from_located(read_located(raw, source))


@frozen
class CaseFile:
    """A case as written in a case file: the case plus the rule set it is meant for."""

    id: str | None = None
    rules: str | None = None
    #: The referral network the case is meant for, if any (its facts may be given too).
    network: str | None = None
    title: Text | None = None
    description: Text | None = None
    facts: dict[str, Any] = attrs.field(factory=dict, repr=False)
    indicators: dict[str, Observation] = attrs.field(factory=dict, repr=False)

    @property
    def case(self) -> Case:
        return Case(self.id, self.facts, self.indicators)


def load_cases(path: str | os.PathLike[str]) -> Iterator[CaseFile]:
    """The cases in a case file: one case (a mapping) or several (a list of mappings)."""
    located = read_located(path)
    items = located.data if isinstance(located.data, list) else [located.data]
    for i, item in enumerate(items):
        prefix = (i,) if isinstance(located.data, list) else ()
        sub = Located(
            item,
            located.source,
            {k[len(prefix) :]: v for k, v in located.values.items() if k[: len(prefix)] == prefix},
            {k[len(prefix) :]: v for k, v in located.keys.items() if k[: len(prefix)] == prefix},
        )
        yield structure(sub, CaseFile)
