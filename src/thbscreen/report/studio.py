"""The trainer's studio: tick indicators on a local page and watch the assessment change.

Served with the standard library's ``http.server`` rather than Starlette and uvicorn:
the page has two routes and one local user, and a trainer's offline laptop then needs
no extra package. The server binds to the loopback address only, answers only requests
addressed to it by that name (a guard against DNS rebinding), stores nothing between
requests and logs nothing: ticks arrive in request bodies that are never written down.

Every response forbids anything but the page itself (Content-Security-Policy); the one
inline script and style sheet carry a fresh nonce.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from ..errors import ThbscreenError
from ..model import Fact, FactType, RuleSet
from ..referral.network import ReferralNetwork
from ..referral.pathway import NoReferralPath, pathway
from ..screening import Screener
from ._style import STUDIO_CSS
from ._texts import Texts, esc
from .document import page
from .sections import assessment_sections

__all__ = ["LOOPBACK", "Studio", "StudioInputError", "StudioServer", "studio_server"]

#: The only host names the studio binds to.
LOOPBACK = ("127.0.0.1", "localhost")
MAX_BODY = 64 * 1024
_CHOICES = ("present", "absent", "unknown")

_SCRIPT = """
(() => {
  const form = document.getElementById("ticks");
  const result = document.getElementById("result-body");
  const status = document.getElementById("status");
  let latest = 0;
  async function update() {
    const mine = ++latest;
    const body = JSON.stringify(Object.fromEntries(new FormData(form)));
    try {
      const response = await fetch("assess", {
        method: "POST", headers: {"Content-Type": "application/json"}, body: body});
      const html = await response.text();
      if (mine === latest) { result.innerHTML = html; status.textContent = ""; }
    } catch (err) {
      if (mine === latest) { status.textContent = "The studio server does not answer."; }
    }
  }
  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => { event.preventDefault(); update(); });
  form.addEventListener("reset", () => setTimeout(update, 0));
})();
"""


class StudioInputError(ThbscreenError):
    """A request to the studio does not fit the rule set or the network."""


class Studio:
    """The page and its assessments for one rule set (and, optionally, one network).

    Holds only what is loaded at start; each request's ticks live for that request.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        network: ReferralNetwork | None = None,
        *,
        lang: str = "en",
        start: str | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.screener = Screener(ruleset)
        self.network = network
        self.lang = Texts(lang).lang
        self.starts: tuple[str, ...] = (
            tuple(i.id for i in network.spec.institutions if i.first_contact) if network else ()
        )
        if network is not None:
            if start is not None and start not in self.starts:
                raise StudioInputError.at(
                    f"expected a first-contact institution of {network.spec.id} "
                    f"({', '.join(self.starts)}), got {start!r}",
                    source=network.spec.id,
                    path="start",
                )
            if not self.starts:
                raise StudioInputError.at(
                    f"the network {network.spec.id} has no first-contact institution",
                    source=network.spec.id,
                )
        self.start = start or (self.starts[0] if self.starts else None)
        facts: dict[str, Fact] = {f.id: f for f in ruleset.facts}
        for f in network.spec.facts if network else ():
            facts.setdefault(f.id, f)
        self.facts = facts
        self.indicator_ids = frozenset(i.id for i in ruleset.indicators)

    # -- input --------------------------------------------------------------------
    def parse_json(self, body: bytes) -> dict[str, str]:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StudioInputError.at(
                f"expected a JSON object of form fields, got text that is not JSON ({type(exc).__name__})",
                source="request",
            ) from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise StudioInputError.at(
                "expected a JSON object whose keys and values are strings", source="request"
            )
        return data

    @staticmethod
    def parse_form(body: bytes) -> dict[str, str]:
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise StudioInputError.at("expected a UTF-8 form body", source="request") from None

    def _case(self, values: Mapping[str, str]) -> tuple[dict[str, Any], str | None]:
        indicators: dict[str, str] = {}
        facts: dict[str, Any] = {}
        start = self.start
        for key, value in values.items():
            kind, _, name = key.partition(":")
            if key == "start":
                if value not in self.starts:
                    raise StudioInputError.at(
                        f"expected one of {', '.join(self.starts) or 'no institution'}",
                        source="request",
                        path="$.start",
                    )
                start = value
            elif kind == "i" and name in self.indicator_ids:
                if value not in _CHOICES:
                    raise StudioInputError.at(
                        "expected present, absent or unknown", source="request", path=f"$[{key!r}]"
                    )
                indicators[name] = value
            elif kind == "f" and name in self.facts:
                if value != "":
                    facts[name] = _fact_value(self.facts[name], value, key)
            else:
                raise StudioInputError.at(
                    "expected start, i:<indicator id> or f:<fact id> of this rule set or network",
                    source="request",
                    path=f"$[{key[:60]!r}]",
                )
        return {"facts": facts, "indicators": indicators}, start

    # -- output -------------------------------------------------------------------
    def fragment(self, values: Mapping[str, str]) -> str:
        """The assessment for these form values as HTML (raises :class:`ThbscreenError`)."""
        case, start = self._case(values)
        net = self.network
        a = self.screener.evaluate(case, allow_facts=net.fact_ids if net else ())
        texts = Texts(self.lang)
        path = None
        problem = None
        if net is not None and start is not None:
            try:
                path = pathway(net, a, case, start=start)
            except NoReferralPath as exc:
                problem = exc.problems[0].message
        return assessment_sections(
            a,
            texts,
            pathway=path,
            network=net,
            level=3,
            uid="st",
            pathway_problem=problem,
            unknowns=False,
        )

    def error_fragment(self, exc: ThbscreenError) -> str:
        return f'<div class="error" role="alert"><p>{esc(exc)}</p></div>'

    def page(self, values: Mapping[str, str] | None = None, *, nonce: str = "") -> str:
        """The whole page, with the form set to ``values`` (none: everything unknown)."""
        values = values or {}
        try:
            result = self.fragment(values)
        except ThbscreenError as exc:
            result = self.error_fragment(exc)
        texts = Texts(self.lang)
        form = self._form(values, texts)
        body = (
            '<div class="studio-grid">'
            f'<form id="ticks" method="post" action="/" aria-labelledby="h-ticks">'
            f'<h2 id="h-ticks">Indicators</h2>'
            '<p class="sub">Tick what the person described; the assessment beside updates at '
            "once. Nothing is stored.</p>"
            f"{form}"
            '<p><button type="submit">Show assessment</button> '
            '<button type="reset">Set all to unknown</button></p></form>'
            # Focusable: the panel scrolls on its own, and keyboard users must reach it.
            '<section id="result" tabindex="0" aria-labelledby="h-result">'
            '<h2 id="h-result">Assessment</h2>'
            '<p id="status" role="status"></p>'
            f'<div id="result-body" aria-live="polite">{result}</div></section></div>'
        )
        rs = self.ruleset
        title = f"Studio: {texts.plain(rs.title)}"
        return page(
            title,
            body,
            texts,
            nonce=nonce,
            script=_SCRIPT,
            css=STUDIO_CSS,
            body_class="studio",
        )

    def _form(self, values: Mapping[str, str], texts: Texts) -> str:
        out: list[str] = []
        if self.network is not None:
            net = self.network
            options = "".join(
                f'<option value="{esc(s)}"{" selected" if s == values.get("start", self.start) else ""}>'
                f"{texts(net.institutions[s].name, s)}</option>"
                for s in self.starts
            )
            out.append(
                '<fieldset class="facts"><legend>Person and first contact</legend>'
                f'<p><label for="start">First contact</label> <select id="start" name="start">'
                f"{options}</select></p>"
                + "".join(
                    self._fact_input(k, f, values, texts) for k, f in enumerate(self.facts.values())
                )
                + "</fieldset>"
            )
        elif self.facts:
            out.append(
                '<fieldset class="facts"><legend>Facts</legend>'
                + "".join(
                    self._fact_input(k, f, values, texts) for k, f in enumerate(self.facts.values())
                )
                + "</fieldset>"
            )
        n = 0
        for dim in self.ruleset.dimensions:
            rows = []
            for ind in self.ruleset.indicators:
                if ind.dimension != dim.id:
                    continue
                n += 1
                key = f"i:{ind.id}"
                current = values.get(key, "unknown")
                grade = f" ({ind.strength.value})" if ind.strength else ""
                radios = "".join(
                    f'<input type="radio" id="i{n}-{c[0]}" name="{esc(key)}" value="{c}"'
                    f"{' checked' if current == c else ''}>"
                    f'<label for="i{n}-{c[0]}">{c}</label>'
                    for c in _CHOICES
                )
                rows.append(
                    f'<fieldset class="ind" data-indicator="{esc(ind.id)}">'
                    f"<legend>{texts(ind.text)}{esc(grade)}</legend>"
                    f'<span class="choices">{radios}</span></fieldset>'
                )
            out.append(f"<fieldset><legend>{texts(dim.title)}</legend>{''.join(rows)}</fieldset>")
        return "".join(out)

    @staticmethod
    def _fact_input(k: int, fact: Fact, values: Mapping[str, str], texts: Texts) -> str:
        key = f"f:{fact.id}"
        current = values.get(key, "")
        label = f'<label for="f{k}">{texts(fact.text, fact.id)}</label> '
        if fact.type in (FactType.ENUM, FactType.BOOL):
            choices = fact.values or () if fact.type is FactType.ENUM else ("true", "false")
            options = "".join(
                f'<option value="{esc(v)}"{" selected" if v == current else ""}>'
                f"{esc(v) if v else 'not given'}</option>"
                for v in ("", *choices)
            )
            return f'<p>{label}<select id="f{k}" name="{esc(key)}">{options}</select></p>'
        kind = {FactType.INT: "number", FactType.FLOAT: "number", FactType.DATE: "date"}.get(
            fact.type, "text"
        )
        step = (
            ' step="1"' if fact.type is FactType.INT else ' step="any"' if kind == "number" else ""
        )
        return (
            f'<p>{label}<input id="f{k}" name="{esc(key)}" type="{kind}"{step} '
            f'value="{esc(current)}"></p>'
        )


def _fact_value(fact: Fact, value: str, key: str) -> Any:
    try:
        if fact.type is FactType.INT:
            return int(value)
        if fact.type is FactType.FLOAT:
            return float(value)
    except ValueError:
        raise StudioInputError.at(
            f"expected a {'whole ' if fact.type is FactType.INT else ''}number",
            source="request",
            path=f"$[{key!r}]",
        ) from None
    if fact.type is FactType.BOOL:
        if value not in ("true", "false"):
            raise StudioInputError.at(
                "expected true or false", source="request", path=f"$[{key!r}]"
            )
        return value == "true"
    return value


class StudioServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, studio: Studio, host: str, port: int) -> None:
        self.studio = studio
        super().__init__((host, port), _Handler)
        self.port: int = self.server_address[1]
        self.allowed_hosts = frozenset(f"{name}:{self.port}" for name in ("127.0.0.1", "localhost"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start_in_thread(self) -> threading.Thread:
        """Serve from a daemon thread (for tests and embedding); stop with ``shutdown()``."""
        thread = threading.Thread(target=self.serve_forever, name="thbscreen-studio", daemon=True)
        thread.start()
        return thread


def studio_server(studio: Studio, *, host: str = "127.0.0.1", port: int = 0) -> StudioServer:
    """A studio server on this machine only (port 0: any free port).

    Raises ``ValueError`` for any host but 127.0.0.1 or localhost.
    """
    if host not in LOOPBACK:
        raise ValueError(
            f"the studio serves this machine only: expected 127.0.0.1 or localhost, got {host!r}"
        )
    return StudioServer(studio, "127.0.0.1", port)


class _Handler(BaseHTTPRequestHandler):
    server: StudioServer
    server_version = "thbscreen-studio"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        # Nothing is logged: the studio keeps no record of who ticked what.
        return

    def _send(self, status: int, body: str, content_type: str, nonce: str = "") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        inline = f" 'nonce-{nonce}'" if nonce else ""
        self.send_header(
            "Content-Security-Policy",
            f"default-src 'self'; script-src 'self'{inline}; style-src 'self'{inline}; "
            "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _refuse(self, status: int, message: str) -> None:
        self._send(status, message + "\n", "text/plain")

    def _checked(self) -> bool:
        if self.headers.get("Host", "") not in self.server.allowed_hosts:
            self._refuse(421, "the studio answers only to 127.0.0.1 and localhost")
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin.removeprefix("http://") not in self.server.allowed_hosts:
            self._refuse(403, "requests from other sites are refused")
            return False
        return True

    def do_GET(self) -> None:
        if not self._checked():
            return
        if self.path != "/":
            self._refuse(404, "not found: the studio has one page, /")
            return
        nonce = secrets.token_urlsafe(18)
        self._send(200, self.server.studio.page(nonce=nonce), "text/html", nonce)

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._refuse(411, "a Content-Length is required")
            return None
        if not 0 <= length <= MAX_BODY:
            self._refuse(413, f"the request body is limited to {MAX_BODY} bytes")
            return None
        return self.rfile.read(length)

    def do_POST(self) -> None:
        if not self._checked():
            return
        if self.path not in ("/", "/assess"):
            self._refuse(404, "not found: post to /assess")
            return
        body = self._body()
        if body is None:
            return
        studio = self.server.studio
        if self.path == "/":
            # The form without its script: the whole page again, with the ticks kept.
            try:
                values = studio.parse_form(body)
            except ThbscreenError as exc:
                self._refuse(400, str(exc))
                return
            nonce = secrets.token_urlsafe(18)
            self._send(200, studio.page(values, nonce=nonce), "text/html", nonce)
            return
        if self.headers.get_content_type() != "application/json":
            self._refuse(415, "expected Content-Type: application/json")
            return
        try:
            fragment = studio.fragment(studio.parse_json(body))
        except ThbscreenError as exc:
            self._send(422, studio.error_fragment(exc), "text/html")
            return
        self._send(200, fragment, "text/html")
