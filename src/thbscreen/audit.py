"""Audit records: one append-only JSON line per assessment, with no case content in it.

A record holds what was decided and with what (rule-set id, version and hash; outcome,
outcome range, score and score range), when and by whom (the caller's timestamp and user
reference), and a salted hash of the case (HMAC-SHA256 over the case's canonical JSON
form) instead of the case itself. Whoever holds the case and the salt can show that a
past record matches a re-run (:func:`verify`); whoever holds only the log learns nothing
of the case, not even by trying likely cases, as long as the salt stays secret.

The library never reads the clock: the caller passes the timestamp (ISO 8601), so that
the record says what the caller's system says, and tests are reproducible. Logging is
off unless the caller creates an :class:`AuditLog`.

>>> import tempfile, os, thbscreen
>>> from thbscreen.audit import AuditLog, read_log, verify
>>> screener = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))
>>> case = {"id": "c1", "indicators": {"coercion_at_destination.debt_bondage": "present"}}
>>> path = os.path.join(tempfile.mkdtemp(), "audit.jsonl")
>>> log = AuditLog(path, salt=b"a secret salt of 16+ bytes")
>>> _ = log.record(screener.evaluate(case), case, timestamp="2024-05-01T10:00:00Z", user="w-17")
>>> [verify(r, case, screener, salt=b"a secret salt of 16+ bytes").matches for r in read_log(path)]
[True]
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import math
import os
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from .assessment import Assessment, RuleSetRef
from .errors import Problem, ThbscreenError
from .model import Case, Observation, RuleSet

__all__ = [
    "AUDIT_FORMAT",
    "AuditError",
    "AuditLog",
    "AuditRecord",
    "FieldCheck",
    "Verification",
    "case_digest",
    "load_salt",
    "open_log",
    "read_log",
    "utc_now",
    "verify",
]

AUDIT_FORMAT = "thbscreen-audit/1"
DIGEST_PREFIX = "hmac-sha256:"
MIN_SALT_BYTES = 16
MAX_SALT_BYTES = 4096
MAX_LINE_BYTES = 64 * 1024
MAX_USER_CHARS = 200
_CASE_KEYS = frozenset({"id", "facts", "indicators"})
_OBSERVATIONS: dict[object, str] = {
    "present": "present",
    "absent": "absent",
    "unknown": "unknown",
    Observation.PRESENT: "present",
    Observation.ABSENT: "absent",
    Observation.UNKNOWN: "unknown",
}


class AuditError(ThbscreenError):
    """An audit log, record, salt or argument is malformed."""


# -- the case's canonical form ---------------------------------------------------------------
def _fact(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AuditError(Problem("expected a finite number", source="<case>", path=path))
        # 3.0 and 3 are the same fact to the screener, so they hash the same.
        return int(value) if value.is_integer() else value
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    raise AuditError(
        Problem(f"expected a fact value, got {type(value).__name__}", source="<case>", path=path)
    )


def _observation(value: object, path: str) -> str:
    if value is True:
        return "present"
    if value is False:
        return "absent"
    if value is None:
        return "unknown"
    try:
        return _OBSERVATIONS[value]
    except (KeyError, TypeError):
        raise AuditError(
            Problem("expected present, absent or unknown", source="<case>", path=path)
        ) from None


def _canonical_case(case: Case | Mapping[str, Any]) -> bytes:
    """The case as canonical JSON: what the screener reads, in one spelling.

    A mapping and a :class:`Case` with the same content give the same bytes: observations
    as ``present``/``absent`` (``true``/``false`` and enums are spelled out), unknown
    observations and unknown (null) facts left out (they are what "not given" means),
    dates as ISO text, whole floats as integers, a numeric id as text; keys sorted.
    """
    if isinstance(case, Case):
        case_id: Any = case.id
        facts: Any = case.facts
        observations: Any = case.indicators
    elif isinstance(case, Mapping):
        extra = sorted(str(k) for k in case if k not in _CASE_KEYS)
        if extra:
            raise AuditError(
                Problem(
                    "a case has id, facts and indicators only",
                    source="<case>",
                    path=f"$.{extra[0][:80]}",
                )
            )
        case_id, facts, observations = case.get("id"), case.get("facts"), case.get("indicators")
    else:
        raise AuditError(Problem(f"expected a case, got {type(case).__name__}", source="<case>"))
    if case_id is not None and not isinstance(case_id, str):
        if isinstance(case_id, bool) or not isinstance(case_id, int):
            raise AuditError(
                Problem("id must be a string or a number", source="<case>", path="$.id")
            )
        case_id = str(case_id)
    for name, part in (("facts", facts), ("indicators", observations)):
        if part is not None and not isinstance(part, Mapping):
            raise AuditError(Problem("expected a mapping", source="<case>", path=f"$.{name}"))
    canonical_facts = {}
    for key, value in (facts or {}).items():
        v = _fact(value, f"$.facts[{str(key)[:80]!r}]")
        if v is not None:
            canonical_facts[str(key)] = v
    canonical_obs = {}
    for key, value in (observations or {}).items():
        obs = _observation(value, f"$.indicators[{str(key)[:80]!r}]")
        if obs != "unknown":
            canonical_obs[str(key)] = obs
    data = {"facts": canonical_facts, "id": case_id, "indicators": canonical_obs}
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def _check_salt(salt: object) -> bytes:
    if not isinstance(salt, bytes):
        raise AuditError(Problem(f"the salt must be bytes, got {type(salt).__name__}", path="salt"))
    if not MIN_SALT_BYTES <= len(salt) <= MAX_SALT_BYTES:
        raise AuditError(
            Problem(
                f"the salt must have {MIN_SALT_BYTES} to {MAX_SALT_BYTES} bytes, got {len(salt)}",
                path="salt",
            )
        )
    return salt


def case_digest(case: Case | Mapping[str, Any], salt: bytes) -> str:
    """``hmac-sha256:<hex>`` of the case's canonical JSON form, keyed with ``salt``.

    The same case written as a mapping or as a :class:`Case` gives the same digest.
    """
    key = _check_salt(salt)
    return DIGEST_PREFIX + hmac.new(key, _canonical_case(case), hashlib.sha256).hexdigest()


def load_salt(path: str | os.PathLike[str]) -> bytes:
    """The salt in a salt file: its bytes, without surrounding whitespace (16 or more).

    Make one with ``python -c "import secrets; print(secrets.token_hex(32))" > audit.salt``
    and keep it apart from the log: with the salt, likely cases can be tried against it.
    """
    source = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SALT_BYTES + 64)
    except OSError as exc:
        raise AuditError(
            Problem(f"cannot read the salt file: {exc.strerror or exc}", source=source)
        ) from None
    salt = raw.strip()
    try:
        return _check_salt(salt)
    except AuditError as exc:
        raise AuditError(Problem(exc.problems[0].message, source=source)) from None


# -- records -----------------------------------------------------------------------------------
@frozen
class AuditRecord:
    """One audit line: what was screened with what, when, by whom; never the case itself."""

    ruleset: RuleSetRef
    outcome: str
    outcome_range: tuple[str, str]
    score: float
    score_range: tuple[float, float]
    case_digest: str
    timestamp: str
    user: str | None = None
    format: str = AUDIT_FORMAT

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "timestamp": self.timestamp,
            "user": self.user,
            "ruleset": self.ruleset.to_dict(),
            "outcome": self.outcome,
            "outcome_range": list(self.outcome_range),
            "score": self.score,
            "score_range": list(self.score_range),
            "case_digest": self.case_digest,
        }

    def to_line(self) -> bytes:
        """The record as one line of JSON, newline included."""
        text = json.dumps(
            self.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
        return (text + "\n").encode("utf-8")


def _check_timestamp(timestamp: object) -> str:
    if not isinstance(timestamp, str) or not timestamp or len(timestamp) > 64:
        raise AuditError(
            Problem(
                "the timestamp must be an ISO 8601 date-time string (the caller's clock)",
                path="timestamp",
            )
        )
    try:
        _dt.datetime.fromisoformat(timestamp)
    except ValueError:
        raise AuditError(
            Problem("expected an ISO 8601 date-time such as 2024-05-01T10:00:00Z", path="timestamp")
        ) from None
    return timestamp


def _check_user(user: object) -> str | None:
    if user is None:
        return None
    if not isinstance(user, str) or not user or len(user) > MAX_USER_CHARS:
        raise AuditError(
            Problem(
                f"the user reference must be a string of 1 to {MAX_USER_CHARS} characters",
                path="user",
            )
        )
    return user


class AuditLog:
    """An append-only JSON Lines audit log at ``path``.

    Each :meth:`record` appends one line with a single ``os.write`` on a file opened
    with ``O_APPEND``, so concurrent writers (threads, processes) never interleave
    lines on a local file system. The file is created with mode 0600. ``fsync=True``
    flushes each line to disk before :meth:`record` returns.
    """

    __slots__ = ("_fsync", "_salt", "path")

    def __init__(self, path: str | os.PathLike[str], *, salt: bytes, fsync: bool = False) -> None:
        self.path = Path(path)
        self._salt = _check_salt(salt)
        self._fsync = fsync

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r})"  # never the salt

    def record(
        self,
        assessment: Assessment,
        case: Case | Mapping[str, Any],
        *,
        timestamp: str,
        user: str | None = None,
    ) -> AuditRecord:
        """Append the record of ``assessment`` (of ``case``) and return it."""
        if not isinstance(assessment, Assessment):
            raise AuditError(
                Problem(
                    f"expected an Assessment, got {type(assessment).__name__}", path="assessment"
                )
            )
        rec = AuditRecord(
            ruleset=assessment.ruleset,
            outcome=assessment.outcome,
            outcome_range=(assessment.outcome_range.low, assessment.outcome_range.high),
            score=assessment.score,
            score_range=(assessment.score_range[0], assessment.score_range[1]),
            case_digest=case_digest(case, self._salt),
            timestamp=_check_timestamp(timestamp),
            user=_check_user(user),
        )
        line = rec.to_line()
        if len(line) > MAX_LINE_BYTES:  # only a huge user reference or id could do it
            raise AuditError(
                Problem(f"record longer than {MAX_LINE_BYTES} bytes", source=str(self.path))
            )
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise AuditError(
                    Problem(
                        f"only {written} of {len(line)} bytes written (disk full?); the last line is damaged",
                        source=str(self.path),
                    )
                )
            if self._fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        return rec


def _record_from(data: Any, source: str, line: int) -> AuditRecord:
    def bad(message: str, path: str = "$") -> AuditError:
        return AuditError(Problem(message, source=source, line=line, column=1, path=path))

    if not isinstance(data, dict):
        raise bad("expected a JSON object")
    if data.get("format") != AUDIT_FORMAT:
        raise bad(f"expected format {AUDIT_FORMAT!r}", "$.format")
    expected = {
        "format",
        "timestamp",
        "user",
        "ruleset",
        "outcome",
        "outcome_range",
        "score",
        "score_range",
        "case_digest",
    }
    extra = sorted(set(data) - expected)
    if extra:
        raise bad(
            f"unknown key {extra[0][:80]!r}; expected {', '.join(sorted(expected))}",
            f"$.{extra[0][:80]}",
        )
    missing = sorted(expected - set(data) - {"user"})
    if missing:
        raise bad(f"missing required key {missing[0]!r}", f"$.{missing[0]}")

    def text(key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise bad("expected a string", f"$.{key}")
        return value

    def number(key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("expected a number", f"$.{key}")
        return value

    def pair(key: str, value: Any) -> list[Any]:
        if not isinstance(value, list) or len(value) != 2:
            raise bad("expected a list of two items", f"$.{key}")
        return value

    ref = data["ruleset"]
    if not isinstance(ref, dict) or set(ref) != {"id", "version", "hash"}:
        raise bad("expected an object with id, version and hash", "$.ruleset")
    ruleset = RuleSetRef(*(text(f"ruleset.{k}", ref[k]) for k in ("id", "version", "hash")))
    orange = pair("outcome_range", data["outcome_range"])
    srange = pair("score_range", data["score_range"])
    user = data.get("user")
    digest = text("case_digest", data["case_digest"])
    if not digest.startswith(DIGEST_PREFIX):
        raise bad(f"expected a digest starting with {DIGEST_PREFIX!r}", "$.case_digest")
    return AuditRecord(
        ruleset=ruleset,
        outcome=text("outcome", data["outcome"]),
        outcome_range=(text("outcome_range[0]", orange[0]), text("outcome_range[1]", orange[1])),
        score=number("score", data["score"]),
        score_range=(number("score_range[0]", srange[0]), number("score_range[1]", srange[1])),
        case_digest=digest,
        timestamp=text("timestamp", data["timestamp"]),
        user=None if user is None else text("user", user),
    )


def read_log(path: str | os.PathLike[str]) -> Iterator[AuditRecord]:
    """The records of an audit log, in order; a bad line raises :class:`AuditError` with
    its line number (and column, for broken JSON). Blank lines are skipped."""
    source = str(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with below; opening can fail alone
    except OSError as exc:
        raise AuditError(
            Problem(f"cannot read the audit log: {exc.strerror or exc}", source=source)
        ) from None
    with fh:
        for number, raw in enumerate(fh, start=1):
            if len(raw) > MAX_LINE_BYTES:
                raise AuditError(
                    Problem(f"line longer than {MAX_LINE_BYTES} bytes", source=source, line=number)
                )
            if not raw.strip():
                continue
            if not raw.endswith(b"\n"):
                raise AuditError(
                    Problem(
                        "the last line is incomplete (a write was cut short)",
                        source=source,
                        line=number,
                    )
                )
            try:
                data = json.loads(raw.rstrip(b"\r\n").decode("utf-8"))
            except UnicodeDecodeError:
                raise AuditError(Problem("not UTF-8 text", source=source, line=number)) from None
            except json.JSONDecodeError as exc:
                raise AuditError(
                    Problem(
                        f"not valid JSON: {exc.msg}", source=source, line=number, column=exc.colno
                    )
                ) from None
            yield _record_from(data, source, number)


# -- verification ----------------------------------------------------------------------------
@frozen
class FieldCheck:
    """One field of a record compared with a re-run."""

    name: str
    recorded: Any
    actual: Any

    @property
    def matches(self) -> bool:
        return bool(self.recorded == self.actual)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "recorded": self.recorded,
            "actual": self.actual,
            "matches": self.matches,
        }


@frozen
class Verification:
    """Whether a past record matches a re-run of its case, field by field."""

    record: AuditRecord
    checks: tuple[FieldCheck, ...]

    @property
    def matches(self) -> bool:
        return all(c.matches for c in self.checks)

    @property
    def mismatched(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks if not c.matches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "matches": self.matches,
            "mismatched": list(self.mismatched),
            "timestamp": self.record.timestamp,
            "user": self.record.user,
            "checks": [c.to_dict() for c in self.checks],
        }


def verify(
    record: AuditRecord,
    case: Case | Mapping[str, Any],
    screener_or_ruleset: Any,
    *,
    salt: bytes,
    allow_facts: Collection[str] = (),
) -> Verification:
    """Re-run ``case`` with a :class:`~thbscreen.Screener` (or a :class:`~thbscreen.RuleSet`)
    and compare every field of ``record``: the case digest (same case, same salt?), the
    rule set's id, version and hash (same rules?), and outcome, range and scores.
    ``allow_facts`` as in :meth:`Screener.evaluate` (a referral network's facts)."""
    from .screening import Screener

    if isinstance(screener_or_ruleset, RuleSet):
        screener = Screener(screener_or_ruleset)
    elif isinstance(screener_or_ruleset, Screener):
        screener = screener_or_ruleset
    else:
        raise AuditError(
            Problem(
                f"expected a Screener or a RuleSet, got {type(screener_or_ruleset).__name__}",
                path="screener",
            )
        )
    assessment = screener.evaluate(case, allow_facts=allow_facts)
    ref = assessment.ruleset
    checks = (
        FieldCheck("case_digest", record.case_digest, case_digest(case, salt)),
        FieldCheck("ruleset.id", record.ruleset.id, ref.id),
        FieldCheck("ruleset.version", record.ruleset.version, ref.version),
        FieldCheck("ruleset.hash", record.ruleset.hash, ref.hash),
        FieldCheck("outcome", record.outcome, assessment.outcome),
        FieldCheck("outcome_range", list(record.outcome_range), assessment.outcome_range.to_list()),
        FieldCheck("score", record.score, assessment.score),
        FieldCheck("score_range", list(record.score_range), list(assessment.score_range)),
    )
    return Verification(record, checks)


def utc_now() -> str:
    """The current time in UTC, ISO 8601 to the second: for callers (the command line,
    the HTTP service) that stand in for a user's own clock. The library never calls it
    on its own."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def open_log(path: str | os.PathLike[str], salt_file: str | os.PathLike[str]) -> AuditLog:
    """An :class:`AuditLog` at ``path`` with the salt read from ``salt_file``."""
    return AuditLog(path, salt=load_salt(salt_file))
