"""The one style sheet of reports, cards and the studio: large type, high contrast, print.

Status colours are dark enough for text on white (contrast above 7:1) and avoid the
red/green pair; the pictures add a pattern and a symbol, so no status depends on colour.
"""

from __future__ import annotations

__all__ = ["CSS", "STATUS_COLOUR", "STATUS_SYMBOL"]

STATUS_COLOUR = {"positive": "#9c2a00", "negative": "#0a4f8a", "undetermined": "#4d4d4d"}
STATUS_SYMBOL = {"positive": "+", "negative": "\u2212", "undetermined": "?"}

CSS = """
:root { --ink: #111; --muted: #3d3d3d; --accent: #0a4f8a; --pos: #9c2a00;
  --neg: #0a4f8a; --und: #4d4d4d; --paper: #fff; --tint: #f1f4f8; }
* { box-sizing: border-box; }
html { font-size: 20px; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--paper); margin: 0 auto; max-width: 64rem; padding: 1rem 1.25rem 3rem;
  line-height: 1.45; }
h1 { font-size: 1.8rem; margin: 0.4rem 0 0.6rem; line-height: 1.2; }
h2 { font-size: 1.4rem; margin: 1.6rem 0 0.5rem; border-bottom: 3px solid var(--ink); }
h3 { font-size: 1.15rem; margin: 1.2rem 0 0.4rem; }
h4 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
code { font-size: 0.85em; background: var(--tint); padding: 0 0.2em; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { border: 1px solid #6b6b6b; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: var(--tint); }
svg { display: block; max-width: 100%; height: auto; }
.sub { color: var(--muted); margin-top: 0; }
.disclaimer { border: 3px solid var(--accent); padding: 0.6rem 0.9rem; margin: 1rem 0;
  font-weight: 600; }
.note { border-left: 6px solid var(--und); padding: 0.3rem 0.8rem; background: var(--tint); }
.fallback { text-decoration: underline dotted; text-underline-offset: 0.2em; }
.outcome { border: 4px solid var(--ink); padding: 0.6rem 1rem; margin: 0.6rem 0; }
.outcome .band { font-size: 1.6rem; font-weight: 700; display: block; }
.outcome .band code { font-size: 0.6em; font-weight: 400; }
.st-positive { color: var(--pos); font-weight: 700; }
.st-negative { color: var(--neg); font-weight: 700; }
.st-undetermined { color: var(--und); font-weight: 700; }
.unknowns { columns: 2 22rem; font-size: 0.85rem; }
.unknowns li { break-inside: avoid; }
.legend { font-size: 0.85rem; color: var(--muted); }
.summary td.outcome-cell { font-weight: 700; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 0.8rem; }
.card { border: 2px solid var(--ink); padding: 0.6rem 0.8rem; break-inside: avoid;
  page-break-inside: avoid; }
.card h3 { margin: 0 0 0.4rem; font-size: 1.05rem; }
.card p { margin: 0.3rem 0; }
.card .strength { font-weight: 700; }
.card.strong { border-width: 5px; }
.card.medium { border-style: solid; border-width: 3px; }
.card.weak { border-style: dashed; }
.card .id { font-size: 0.75rem; color: var(--muted); overflow-wrap: anywhere; }
@media print {
  html { font-size: 11pt; }
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section, figure, table, .outcome { break-inside: avoid; page-break-inside: avoid; }
  .dimension-cards + .dimension-cards { break-before: page; page-break-before: always; }
  .noprint { display: none; }
  code, th, .note { background: none; }
}
"""

#: The studio's two columns: the ticks on the left, the assessment beside them.
STUDIO_CSS = """
body.studio { max-width: none; }
body.studio h1 { font-size: 1.4rem; }
body.studio .disclaimer { font-size: 0.8rem; margin: 0.5rem 0; }
#result .outcome .band { font-size: 1.15rem; }
#result h3 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
select, input { font: inherit; max-width: 100%; }
#start { width: 100%; }
.studio-grid { display: grid; grid-template-columns: minmax(22rem, 1fr) minmax(26rem, 1.3fr);
  gap: 1.5rem; align-items: start; }
#ticks { font-size: 0.8rem; }
#ticks fieldset { min-width: 0; border: 1px solid #6b6b6b; margin: 0 0 0.6rem; padding: 0.3rem 0.6rem; }
#ticks fieldset.ind { border: none; border-top: 1px solid #c4c4c4; margin: 0; padding: 0.25rem 0; }
#ticks legend { font-weight: 700; }
#ticks fieldset.ind legend { font-weight: 400; float: left; width: 100%; padding: 0; }
.choices { display: flex; gap: 0.9rem; clear: both; }
.choices label { padding: 0 0.2rem; }
input:focus-visible, select:focus-visible, button:focus-visible { outline: 3px solid #0a4f8a;
  outline-offset: 2px; }
.facts label { display: inline-block; min-width: 9rem; }
.facts p { margin: 0.2rem 0; }
#result { position: sticky; top: 0.5rem; max-height: calc(100vh - 1rem); overflow-y: auto;
  font-size: 0.85rem; }
button { font: inherit; padding: 0.2rem 0.8rem; border: 2px solid #111; background: #fff;
  color: #111; }
.error { border: 3px solid #9c2a00; padding: 0.4rem 0.8rem; }
"""
