"""Renderers: each turns a Recommendation into one format. They render; they never decide.

The registry: a new format is one module with `render(report, options) -> str` (report is the
Recommendation's JSON form) plus one entry in RENDERERS. The CLI's --format choices come from it.
Modules are imported only when used, so `advisor --help` pays for none of them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from advisor.recommendation import Recommendation

# format name -> module under advisor.report
RENDERERS = {"text": "text", "markdown": "markdown", "json": "json_report", "html": "html"}
# Formats of a file-like report (advisor report): the terminal page is for recommend.
REPORT_FORMATS = ("markdown", "json", "html")


class RenderOptions(NamedTuple):  # not a dataclass: `advisor --help` imports this module
    explain: bool = False  # the full trace: every rule, clause and fact (text)
    colour: bool = False  # ANSI colour (text, only on a terminal and never with NO_COLOR)


def render(rec: Recommendation, fmt: str, options: RenderOptions | None = None) -> str:
    module = import_module(f"advisor.report.{RENDERERS[fmt]}")
    return module.render(rec.to_json(), options or RenderOptions())
