"""The model-selection report as one self-contained HTML page (the sections are in document.py).

No script, no external asset: inline CSS (with a print stylesheet) and one inline SVG chart of the
memory each method needs per candidate against the GPU budget. Every interpolated value goes
through `esc()` (html.escape with quotes), so metadata cannot add markup, in text or attributes.
"""

from __future__ import annotations

import html
from typing import Any

from advisor.report import labels as L
from advisor.report.chart import memory_chart
from advisor.report.document import Markup, sections

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --pass: #1a7f37; --warn: #9a6700;
  --fail: #cf222e; --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 1.7em; margin: 0 0 .4em; }
h2 { font-size: 1.25em; border-bottom: 1px solid var(--line); padding-bottom: .2em;
  margin-top: 1.8em; }
.verdict { border: 2px solid var(--pass); border-radius: 8px; padding: 12px 16px;
  background: #f0fff4; }
.verdict.base { border-color: #8250df; background: #fbf7ff; }
.verdict strong.big { font-size: 1.35em; letter-spacing: .02em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: .88em; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); }
td.num { text-align: right; white-space: nowrap; }
td.mark { text-align: center; white-space: nowrap; }
.pass { color: var(--pass); } .warn { color: var(--warn); font-weight: 600; }
.fail { color: var(--fail); font-weight: 700; }
.unknown, .not-asked, .muted { color: var(--muted); }
tr.pick td { background: #f0fff4; }
code { background: var(--bg-soft); padding: 0 3px; border-radius: 3px; font-size: .92em; }
.chart { overflow-x: auto; } .chart svg { max-width: 100%; height: auto; }
.wrap { overflow-x: auto; }
details { margin: .3em 0; } summary { cursor: pointer; }
footer { margin-top: 2em; color: var(--muted); font-size: .85em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .wrap, .chart { overflow: visible; }
  h2 { break-after: avoid; } tr, .verdict, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  tr.pick td, .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { margin: 1.4cm; }
"""


def esc(value: Any) -> str:
    return html.escape(L.no_controls(value), quote=True)


class Html(Markup):
    def text(self, value: Any) -> str:
        return esc(value)

    def code(self, value: Any) -> str:
        return f"<code>{esc(value)}</code>"

    def bold(self, fragment: str) -> str:
        return f"<strong>{fragment}</strong>"

    def mark(self, css: str, fragment: str) -> str:
        return f'<span class="{esc(css)}">{fragment}</span>'

    def heading(self, level: int, title: Any) -> str:
        return f"<h{level}>{esc(title)}</h{level}>"

    def para(self, fragment: str) -> str:
        return f"<p>{fragment}</p>"

    def items(self, fragments: list[Any], ordered: bool = False) -> str:
        tag = "ol" if ordered else "ul"
        out = []
        for item in fragments:
            text, sub = item if isinstance(item, tuple) else (item, [])
            inner = "<ul>" + "".join(f"<li>{x}</li>" for x in sub) + "</ul>" if sub else ""
            out.append(f"<li>{text}{inner}</li>")
        return f"<{tag}>{''.join(out)}</{tag}>"

    def table(self, head: list[str], rows: list[list[Any]], align: str = "", pick: int = 0) -> str:
        out = ['<div class="wrap"><table><thead><tr>']
        out += [f"<th>{esc(h)}</th>" for h in head]
        out.append("</tr></thead><tbody>")
        for i, row in enumerate(rows, 1):
            out.append('<tr class="pick">' if i == pick else "<tr>")
            for cell in row:
                css, text = cell if isinstance(cell, tuple) else ("", cell)
                out.append(f'<td class="{esc(css)}">{text}</td>' if css else f"<td>{text}</td>")
            out.append("</tr>")
        return "".join(out) + "</tbody></table></div>"

    def details(self, summary: str, blocks: list[str], opened: bool) -> str:
        tag = "<details open>" if opened else "<details>"
        return f"{tag}<summary>{summary}</summary>{''.join(blocks)}</details>"

    def verdict(self, variant: str, lines: list[str]) -> str:
        return f'<div class="verdict {esc(variant)}">' + "<br>".join(lines) + "</div>"

    def chart(self, report: dict[str, Any]) -> str:
        return f'<div class="chart">{memory_chart(report, esc)}</div>'

    def footer(self, fragment: str) -> str:
        return f"<footer>{fragment}</footer>"


def render(report: dict[str, Any], options: Any = None) -> str:
    d = report["decision"]
    title = f"Model-selection report: {d['variant']} - {d['repo'] or 'no repo passes'}"
    body = "\n".join(sections(report, Html()))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No network, no script: the page must work offline and as an e-mail attachment.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
