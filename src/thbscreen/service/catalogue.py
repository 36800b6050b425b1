"""The rule sets and networks one service instance may use, loaded once and kept.

A request names a rule set or network; the name is looked up in a table built when the
service starts (the bundled ones, plus an operator's folder when given), so no request can
make the service read a path of its choosing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .._language.suggest import did_you_mean
from ..errors import Problem, ThbscreenError
from ..loading import (
    NOT_RULESETS,
    bundled_networks,
    bundled_rules_dir,
    bundled_rulesets,
    load_ruleset,
)
from ..referral.network import ReferralNetwork, load_network
from ..screening import Screener
from .problems import BODY, ServiceError

__all__ = ["Catalogue"]

log = logging.getLogger("thbscreen.service")
_SUFFIXES = (".yaml", ".yml", ".json")
T = TypeVar("T")


def _is_ruleset(parts: tuple[str, ...]) -> bool:
    return not set(parts[:-1]) & NOT_RULESETS


def _is_network(parts: tuple[str, ...]) -> bool:
    return len(parts) > 1 and parts[0] == "referral"


def _bundled(names: list[str]) -> dict[str, str]:
    root = bundled_rules_dir()
    found: dict[str, str] = {}
    for name in names:
        for suffix in _SUFFIXES:
            if (root / (name + suffix)).is_file():
                found[name] = str(root / (name + suffix))
                break
    return found


def _scan(root: Path, keep: Callable[[tuple[str, ...]], bool]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and path.suffix in _SUFFIXES and keep(rel.parts):
            found[rel.with_suffix("").as_posix()] = str(path)
    return found


class Catalogue:
    """Names to rule sets and networks; each is loaded on first use and then kept.

    With ``rules_dir``, its rule sets (and its ``referral/`` networks) are loaded at once,
    so that a broken file stops the service at start-up rather than failing requests;
    they take precedence over bundled ones of the same name.
    """

    def __init__(self, rules_dir: Path | None = None) -> None:
        # Bundled files by their own paths: a bare name would first be tried as a path
        # relative to the working directory.
        self._rulesets = _bundled(bundled_rulesets())
        self._networks = _bundled(bundled_networks())
        self._screeners: dict[str, Screener] = {}
        self._loaded_networks: dict[str, ReferralNetwork] = {}
        # Handlers may run in worker threads; a lock keeps each file loaded once.
        self._lock = threading.Lock()
        if rules_dir is not None:
            if not rules_dir.is_dir():
                raise ServiceError(
                    500,
                    "configuration",
                    "The rules folder does not exist",
                    Problem("expected a folder of rule files", source=str(rules_dir)),
                )
            own = _scan(rules_dir, _is_ruleset)
            nets = _scan(rules_dir, _is_network)
            self._rulesets.update(own)
            self._networks.update(nets)
            # Loaded here, unwrapped: the operator sees every located problem and the
            # service does not start.
            for name, path in own.items():
                self._screeners[name] = Screener(load_ruleset(path))
            for name, path in nets.items():
                self._loaded_networks[name] = load_network(path)

    @property
    def ruleset_names(self) -> list[str]:
        return sorted(self._rulesets)

    @property
    def network_names(self) -> list[str]:
        return sorted(self._networks)

    def screener(self, name: str, path: str = "$.rules") -> Screener:
        """The compiled rule set called ``name``; a 422 problem for an unknown name."""
        target = self._lookup(name, self._rulesets, "rule set", path)
        return self._cached(name, self._screeners, lambda: Screener(load_ruleset(target)))

    def network(self, name: str, path: str = "$.network") -> ReferralNetwork:
        """The referral network called ``name``; a 422 problem for an unknown name."""
        target = self._lookup(name, self._networks, "referral network", path)
        return self._cached(name, self._loaded_networks, lambda: load_network(target))

    def _cached(self, name: str, table: dict[str, T], load: Callable[[], T]) -> T:
        found = table.get(name)
        if found is not None:
            return found
        with self._lock:
            if name not in table:
                try:
                    table[name] = load()
                except ThbscreenError as exc:
                    # The service's own file is broken: not the caller's fault, and the
                    # caller need not see the server's paths.
                    log.error("cannot load %s: %s", name, exc)
                    raise ServiceError(
                        500,
                        "unavailable",
                        "A rule file of the service cannot be loaded",
                        Problem(f"{name!r} cannot be loaded; the operator's log says why"),
                    ) from None
            return table[name]

    @staticmethod
    def _lookup(name: str, table: dict[str, str], what: str, path: str) -> str:
        target = table.get(name)
        if target is None:
            shown = name if len(name) <= 80 else name[:77] + "..."
            raise ServiceError(
                422,
                "unknown-name",
                f"Unknown {what}",
                Problem(
                    f"unknown {what} {shown!r}{did_you_mean(name, table)}; available: "
                    + ", ".join(sorted(table)),
                    source=BODY,
                    path=path,
                ),
            )
        return target
