"""A pathway rendered as terminal text, Markdown or HTML (views of its data)."""

from __future__ import annotations

import html
import json

from ..explain import DISCLAIMER
from .pathway import Pathway

__all__ = ["pathway_html", "pathway_markdown", "pathway_text", "render_pathway"]


def _step_line(i: int, s: object) -> str:
    from .pathway import Step

    assert isinstance(s, Step)
    extra = []
    if s.consent:
        extra.append("needs the person's consent")
    if s.notification:
        extra.append(
            f"duty: {s.notification}"
            + (f" (within {s.deadline_days} days)" if s.deadline_days is not None else "")
        )
    if s.confidence and s.confidence != "confirmed":
        extra.append(f"channel {s.confidence}")
    reach = f" for {', '.join(s.services)}" if s.services else ""
    tail = f" [{'; '.join(extra)}]" if extra else ""
    return f"{i}. {s.from_} -> {s.to} ({s.stage}){reach}{tail}"


def pathway_text(p: Pathway) -> str:
    lines = [
        f"Referral pathway from {p.start} ({p.network} {p.network_version}) for outcome {p.outcome}"
    ]
    if not p.needed:
        lines.append("  The assessment calls for no service in this network.")
    else:
        lines.append(f"  Needed: {', '.join(p.needed)}")
    for i, s in enumerate(p.steps, 1):
        lines.append("  " + _step_line(i, s))
    for r in p.routes:
        if not r.channels:
            lines.append(f"  {r.service}: offered by {r.institution} itself")
    for u in p.unreached:
        facts = f" (ask: {', '.join(u.deciding_facts)})" if u.deciding_facts else ""
        label = "Not reached" if u.kind == "unreachable" else "Open"
        lines.append(f"  {label}: {u.service}: {u.reason}{facts}")
    if p.consent_needed:
        lines.append(f"  Consent needed for: {', '.join(p.consent_needed)}")
    lines.append(DISCLAIMER)
    return "\n".join(lines) + "\n"


def pathway_markdown(p: Pathway) -> str:
    out = [f"### Referral pathway from `{p.start}` (outcome `{p.outcome}`)", ""]
    out.append(f"Needed: {', '.join(f'`{s}`' for s in p.needed) or 'nothing'}")
    out.append("")
    for i, s in enumerate(p.steps, 1):
        out.append(_step_line(i, s).replace(" -> ", " → ", 1))
    if p.unreached:
        out.append("")
        out.append("**Not reached**")
        out.append("")
        for u in p.unreached:
            facts = f" (ask: {', '.join(u.deciding_facts)})" if u.deciding_facts else ""
            out.append(f"- `{u.service}`: {u.reason}{facts}")
    out += ["", f"> {DISCLAIMER}"]
    return "\n".join(out) + "\n"


def pathway_html(p: Pathway) -> str:
    e = html.escape
    items = "".join(
        f"<li>{e(_step_line(i, s)[len(str(i)) + 2 :])}</li>" for i, s in enumerate(p.steps, 1)
    )
    missing = "".join(f"<li>{e(u.service)}: {e(u.reason)}</li>" for u in p.unreached)
    return (
        f"<div><p><b>Referral pathway from {e(p.start)}</b> (outcome {e(p.outcome)})</p>"
        f"<ol>{items}</ol>"
        + (f"<p>Not reached:</p><ul>{missing}</ul>" if missing else "")
        + f"<p><small>{e(DISCLAIMER)}</small></p></div>"
    )


def render_pathway(p: Pathway, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(p.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return pathway_markdown(p)
    return pathway_text(p)
