"""The model-selection report as one self-contained HTML page (the sections are in document.py).

No script, no external asset: inline CSS (with a print stylesheet) and one inline SVG chart of the
memory each method needs per candidate against the GPU budget. Every interpolated value goes
through `esc()` (html.escape with quotes), so metadata cannot add markup, in text or attributes.
"""

from __future__ import annotations

import html
from importlib import resources
from typing import Any

from advisor.report import labels as L
from advisor.report.chart import memory_chart
from advisor.report.document import Markup, sections

# The page's inline stylesheet (with a print stylesheet), kept as data beside this module.
CSS = "\n" + resources.files("advisor.report").joinpath("report.css").read_text("utf-8")


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
