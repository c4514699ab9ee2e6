"""The model-selection report as GitHub-flavoured Markdown (the sections are in document.py).

Everything that comes from model metadata, rule messages or the user's spec goes through `md()`:
a model card or licence name with `|`, `<script>` or backticks must neither break a table nor
reach the reader as HTML.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.report import labels as L
from advisor.report.document import Markup, sections

# Characters that start Markdown syntax inline; `<`, `>` and `&` become entities instead so
# no raw HTML survives (GitHub would otherwise pass some tags through).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|~#!])")
# What may sit in a code span as it is: nothing that ends the span, a table cell or an entity.
_CODE_SAFE = re.compile(r"^[^`|<>&\\]+$")


def md(text: Any) -> str:
    """Escape one value for a Markdown paragraph or table cell (single line)."""
    s = L.no_controls(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return " ".join(s.split())


class Markdown(Markup):
    def text(self, value: Any) -> str:
        return md(value)

    def code(self, value: Any) -> str:
        s = " ".join(L.no_controls(value).split())
        return f"`{s}`" if _CODE_SAFE.match(s) else md(s)

    def bold(self, fragment: str) -> str:
        return f"**{fragment}**"

    def heading(self, level: int, title: Any) -> str:
        return f"{'#' * level} {md(title)}\n"

    def para(self, fragment: str) -> str:
        return fragment + "\n"

    def items(self, fragments: list[Any], ordered: bool = False) -> str:
        lines = []
        for i, item in enumerate(fragments, 1):
            text, sub = item if isinstance(item, tuple) else (item, [])
            lines.append(f"{f'{i}.' if ordered else '-'} {text}")
            lines += [f"   - {x}" for x in sub]
        return "\n".join(lines) + "\n"

    def table(self, head: list[str], rows: list[list[Any]], align: str = "", pick: int = 0) -> str:
        marks = align or "l" * len(head)
        sep = ["---:" if a == "r" else ":---:" if a == "c" else "---" for a in marks]
        cells = [[c[1] if isinstance(c, tuple) else c for c in row] for row in rows]
        return "".join(f"| {' | '.join(row)} |\n" for row in [head, sep, *cells])

    def details(self, summary: str, blocks: list[str], opened: bool) -> str:
        return "\n".join(
            ["<details>", f"<summary>{summary}</summary>", "", *blocks, "</details>\n"]
        )

    def verdict(self, variant: str, lines: list[str]) -> str:
        return "\n".join(f"> {line}" for line in lines) + "\n"

    def footer(self, fragment: str) -> str:
        return f"<sub>{fragment}</sub>\n"


def render(report: dict[str, Any], options: Any = None) -> str:
    return "\n".join(sections(report, Markdown())).rstrip("\n") + "\n"
