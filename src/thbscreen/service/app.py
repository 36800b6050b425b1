"""The Starlette application behind ``thbscreen serve``.

One :class:`_Service` per application holds the catalogue of loaded rule sets and
networks; nothing about a request outlives its response. Errors become problem documents
(:mod:`.problems`); an unexpected exception becomes a bare 500 problem, and only its type
is logged: no traceback, no message (it could quote case data), no body.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import CaseDataError, NetworkError, Problem, ThbscreenError
from ..explain import DISCLAIMER
from ..lint import lint_text
from ..referral.pathway import NoReferralPath, pathway
from .catalogue import Catalogue
from .config import ServiceConfig
from .messages import (
    BatchItem,
    BatchRequest,
    BatchResult,
    CaseError,
    Health,
    LintRequest,
    LintResult,
    NetworkInfo,
    NetworkList,
    PathwayRequest,
    PathwayResult,
    RuleSetInfo,
    RuleSetList,
    ScreenRequest,
    parse_request,
)
from .openapi import LANG_PATTERN, openapi_document
from .problems import (
    BODY,
    PROBLEM_MEDIA_TYPE,
    TYPE_BASE,
    ProblemDocument,
    ServiceError,
    document_for,
    locate,
    rebase,
)

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["build_app"]

log = logging.getLogger("thbscreen.service")
_LANG = re.compile(LANG_PATTERN)


class _Reject(Exception):
    """A finished error response, raised out of body reading."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _problem_response(doc: ProblemDocument, headers: Mapping[str, str] | None = None) -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse(
        doc.to_dict(), status_code=doc.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _error(exc: ThbscreenError, raw: bytes = b"") -> Response:
    problems = locate(raw, exc.problems) if raw else list(exc.problems)
    return _problem_response(document_for(exc, problems))


def _with_case_paths(exc: ThbscreenError, prefix: str) -> ThbscreenError:
    """A case error re-pointed at where the case is in the body."""
    if isinstance(exc, CaseDataError):
        return CaseDataError(rebase(exc.problems, prefix))
    return exc


class _Service:
    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.catalogue = Catalogue(config.rules_dir)
        self.limits = {"max_batch": config.max_batch}
        self._openapi: bytes | None = None

    def audit(self, assessment: Any, case: Any, timestamp: str | None, user: str | None) -> None:
        """One audit record, when the operator asked for a log; a bad timestamp or user
        reference is the caller's error (the assessment is then not returned)."""
        log = self.config.audit
        if log is None:
            return
        from ..audit import utc_now

        try:
            log.record(
                assessment,
                case,
                timestamp=timestamp if timestamp is not None else utc_now(),
                user=user,
            )
        except ThbscreenError as exc:
            raise ServiceError(
                422,
                "invalid-request",
                "The request is not valid",
                [Problem(p.message, source=BODY, path=p.path) for p in exc.problems],
            ) from None

    # -- reading bodies ----------------------------------------------------------------------
    async def body(self, request: Request) -> tuple[bytes, Any]:
        limit = self.config.max_body_bytes
        media = request.headers.get("content-type", "application/json").split(";")[0]
        media = media.strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise _Reject(
                _problem_response(
                    _doc(
                        415,
                        "unsupported-media-type",
                        "The body must be JSON",
                        "send the body as application/json",
                    )
                )
            )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Reject(_too_large(int(declared), limit))
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _Reject(_too_large(size, limit, at_least=True))
            chunks.append(chunk)
        raw = b"".join(chunks)
        return raw, _decode(raw)

    # -- endpoints -----------------------------------------------------------------------------
    async def health(self, request: Request) -> Response:
        from starlette.responses import JSONResponse

        return JSONResponse(Health("ok", __version__, DISCLAIMER).to_dict())

    async def openapi(self, request: Request) -> Response:
        from starlette.responses import Response

        if self._openapi is None:
            doc = openapi_document(
                self.config,
                rulesets=self.catalogue.ruleset_names,
                networks=self.catalogue.network_names,
            )
            self._openapi = json.dumps(doc).encode("utf-8")
        return Response(self._openapi, media_type="application/json")

    async def rulesets(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        lang = _lang(request)
        rows = await run_in_threadpool(self._ruleset_rows, lang)
        return JSONResponse(RuleSetList(tuple(rows)).to_dict())

    def _ruleset_rows(self, lang: str) -> list[RuleSetInfo]:
        rows = []
        for name in self.catalogue.ruleset_names:
            rs = self.catalogue.screener(name).ruleset
            title, fallback = rs.title.get(lang)
            conf = rs.provenance.confidence
            rows.append(
                RuleSetInfo(
                    name,
                    rs.id,
                    rs.version,
                    title,
                    "en" if fallback else lang,
                    conf.value if conf is not None else None,
                    len(rs.indicators),
                    rs.languages,
                    rs.hash,
                )
            )
        return rows

    async def networks(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        lang = _lang(request)
        rows = await run_in_threadpool(self._network_rows, lang)
        return JSONResponse(NetworkList(tuple(rows)).to_dict())

    def _network_rows(self, lang: str) -> list[NetworkInfo]:
        rows = []
        for name in self.catalogue.network_names:
            spec = self.catalogue.network(name).spec
            title, fallback = spec.title.get(lang)
            rows.append(
                NetworkInfo(
                    name,
                    spec.id,
                    spec.version,
                    title,
                    "en" if fallback else lang,
                    len(spec.institutions),
                    tuple(i.id for i in spec.institutions if i.first_contact),
                    spec.hash,
                )
            )
        return rows

    async def screen(self, request: Request) -> Response:
        from starlette.responses import JSONResponse

        raw, data = await self.body(request)
        try:
            req = parse_request(data, ScreenRequest, self.limits)
            screener = self.catalogue.screener(req.rules)
            try:
                assessment = screener.evaluate(req.case)
            except ThbscreenError as exc:
                raise _with_case_paths(exc, "$.case") from None
            self.audit(assessment, req.case, req.timestamp, req.user)
            return JSONResponse(assessment.to_dict())
        except ThbscreenError as exc:
            return _error(exc, raw)

    async def batch(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        raw, data = await self.body(request)
        try:
            req = parse_request(data, BatchRequest, self.limits)
            screener = self.catalogue.screener(req.rules)
        except ThbscreenError as exc:
            return _error(exc, raw)

        def run() -> dict[str, Any]:
            items: list[BatchItem] = []
            failures: list[tuple[int, ThbscreenError]] = []
            for i, case in enumerate(req.cases):
                try:
                    assessment = screener.evaluate(case)
                    self.audit(assessment, case, req.timestamp, req.user)
                    items.append(BatchItem(i, assessment=assessment))
                except ThbscreenError as exc:
                    failures.append((i, _with_case_paths(exc, f"$.cases[{i}]")))
                    items.append(BatchItem(i))
            # One pass of the positional reader for every failed case together.
            problems = locate(raw, [p for _, exc in failures for p in exc.problems])
            at = 0
            for i, error in failures:
                mine = problems[at : at + len(error.problems)]
                at += len(error.problems)
                doc = document_for(error, mine)
                items[i] = BatchItem(i, error=CaseError(doc.title, doc.detail, doc.errors))
            return BatchResult(tuple(items), len(items) - len(failures), len(failures)).to_dict()

        return JSONResponse(await run_in_threadpool(run))

    async def pathway(self, request: Request) -> Response:
        from starlette.responses import JSONResponse

        raw, data = await self.body(request)
        try:
            req = parse_request(data, PathwayRequest, self.limits)
            screener = self.catalogue.screener(req.rules)
            network = self.catalogue.network(req.network)
            try:
                assessment = screener.evaluate(req.case, allow_facts=network.fact_ids)
                path = pathway(network, assessment, req.case, start=req.from_)
            except NoReferralPath:
                raise
            except NetworkError as exc:
                # The start is the only part of the request a network error can be about.
                raise NetworkError(
                    [Problem(p.message, source=BODY, path="$.from") for p in exc.problems]
                ) from None
            except ThbscreenError as exc:
                raise _with_case_paths(exc, "$.case") from None
            self.audit(assessment, req.case, req.timestamp, req.user)
            return JSONResponse(PathwayResult(assessment, path).to_dict())
        except ThbscreenError as exc:
            return _error(exc, raw)

    async def lint(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        raw, data = await self.body(request)
        try:
            req = parse_request(data, LintRequest, self.limits)
        except ThbscreenError as exc:
            return _error(exc, raw)
        findings = await run_in_threadpool(lint_text, req.ruleset, req.source or "<ruleset>")
        count = {
            s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")
        }
        result = LintResult(tuple(findings), count["error"], count["warning"], count["info"])
        return JSONResponse(result.to_dict())


def _doc(
    status: int, kind: str, title: str, detail: str, errors: Sequence[Problem] = ()
) -> ProblemDocument:
    from .problems import ProblemLocation

    return ProblemDocument(
        TYPE_BASE + kind, title, status, detail, tuple(ProblemLocation.of(p) for p in errors)
    )


def _too_large(size: int, limit: int, *, at_least: bool = False) -> Response:
    amount = f"more than {limit}" if at_least else str(size)
    return _problem_response(
        _doc(
            413,
            "body-too-large",
            "The body is too large",
            f"{BODY}: $: the body is {amount} bytes; the limit is {limit}",
            [Problem(f"the body is {amount} bytes; the limit is {limit}", source=BODY)],
        )
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")
    return out


def _decode(raw: bytes) -> Any:
    """The JSON document in ``raw``; a 400 problem located at the line and column."""

    def bad(message: str, line: int | None = None, column: int | None = None) -> _Reject:
        problem = Problem(message, source=BODY, line=line, column=column)
        return _Reject(
            _problem_response(
                _doc(400, "malformed-json", "The body is not JSON", str(problem), [problem])
            )
        )

    if not raw.strip():
        raise bad("the body is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise bad("not UTF-8 text", line, column) from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise bad("nested too deeply") from None
    except ValueError as exc:
        if str(exc) == "duplicate key":
            # The positional reader names the key and where it is.
            located = locate_duplicate(raw)
            if located is not None:
                raise bad(located.message, located.line, located.column) from None
            raise bad("duplicate key in an object") from None
        raise bad(f"not valid JSON: {exc}") from None


def locate_duplicate(raw: bytes) -> Problem | None:
    from .._yaml import read_located

    try:
        read_located(raw, BODY)
    except ThbscreenError as exc:
        return exc.problems[0]
    return None


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    if len(lang) > 35 or not _LANG.match(lang):
        raise ServiceError(
            422,
            "invalid-request",
            "The request is not valid",
            Problem(
                "expected a language code such as en, sl or pt-BR",
                source="<query>",
                path="lang",
            ),
        )
    return lang


class _Guard:
    """The outermost layer: whatever escapes, the client gets a problem, never a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:  # the promise: no 5xx detail, no traceback, no body in logs
            log.error(
                "internal error (%s) in %s %s",
                type(exc).__name__,
                scope.get("method", ""),
                scope.get("path", ""),
            )
            if not started and scope["type"] == "http":
                response = _problem_response(_internal())
                await response(scope, receive, send)


def _internal() -> ProblemDocument:
    return _doc(
        500,
        "internal-error",
        "Internal error",
        "the service could not answer this request; please report it with the endpoint "
        "and the time (not the case data)",
    )


def build_app(config: ServiceConfig | None = None) -> ASGIApp:
    """The ASGI application for ``config`` (default limits, bundled rules only if None)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.routing import Route

    service = _Service(config or ServiceConfig())

    def guarded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except _Reject as exc:
                return exc.response
            except ThbscreenError as exc:
                return _error(exc)

        return endpoint

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        kind = title.lower().replace(" ", "-")
        return _problem_response(
            _doc(exc.status_code, kind, title, str(exc.detail)), headers=exc.headers
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        return _problem_response(_internal())

    routes = [
        Route("/health", guarded(service.health), methods=["GET"]),
        Route("/openapi.json", guarded(service.openapi), methods=["GET"]),
        Route("/rulesets", guarded(service.rulesets), methods=["GET"]),
        Route("/networks", guarded(service.networks), methods=["GET"]),
        Route("/screen", guarded(service.screen), methods=["POST"]),
        Route("/screen/batch", guarded(service.batch), methods=["POST"]),
        Route("/pathway", guarded(service.pathway), methods=["POST"]),
        Route("/lint", guarded(service.lint), methods=["POST"]),
    ]
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error}
    )
    return _Guard(app)
