"""The one value formatter: how a fact reads in a rule message, a report, inspect or a table.

Unknown stays visibly unknown; parameters, lengths and counts print the same everywhere.
"""

from __future__ import annotations

from typing import Any


def value(v: Any, suffix: str = "") -> str:
    if v is None:
        return "unknown"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        shown = f"{v:,.1f}" if v >= 10 else f"{v:.3g}"
        return shown + suffix
    if isinstance(v, int):
        return f"{v:,}{suffix}"
    if isinstance(v, (list, tuple)):
        return ", ".join(value(x) for x in v) or "none"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {value(x)}" for k, x in v.items()) or "none"
    return f"{v}{suffix}"
