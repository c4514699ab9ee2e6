"""Words and number formats shared by the Markdown and HTML reports (formatting only, no decisions).

Every function returns plain, unescaped text: each renderer escapes it for its own format.
"""

from __future__ import annotations

from typing import Any

METHODS = ("full", "lora", "qlora")
METHOD_TITLE = {"full": "Full", "lora": "LoRA", "qlora": "QLoRA"}
EXCEPTION_STATUS = {
    "fired": "fired",
    "silent": "did not fire",
    "unknown": "undecided (facts missing)",
}
CHECK_MARK = {"pass": "pass", "warn": "warn", "fail": "FAIL", "unknown": "?", "n/a": "-"}
CHECK_ORDER = ("fail", "warn", "unknown", "n/a", "pass")
COMPARED_FACTS = (
    ("variant", "variant"),
    ("license", "licence"),
    ("gated", "gated"),
    ("params_b", "params"),
    ("context_length", "context"),
    ("chat_template_family", "chat template"),
    ("vocab_size", "vocab"),
)


def value(v: Any, suffix: str = "") -> str:
    """A fact value for a person: unknown stays visibly unknown."""
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


def gb(v: float | None) -> str:
    return "unknown" if v is None else f"{v:,.1f} GB"


def check_state(check: dict[str, Any]) -> str:
    """pass / warn / fail / unknown, or n/a for a check the user did not ask for."""
    return check["status"] if check.get("checked", True) else "n/a"


def check_counts(checks: list[dict[str, Any]]) -> str:
    counts = {state: 0 for state in CHECK_ORDER}
    for check in checks:
        counts[check_state(check)] += 1
    names = {"n/a": "not asked", "unknown": "unknown"}
    return ", ".join(f"{n} {names.get(s, s)}" for s, n in counts.items() if n) or "no checks"


def fits(entry: dict[str, Any] | None) -> str:
    if entry is None or entry.get("fits_gpu") is None:
        return ""
    return "fits" if entry["fits_gpu"] else "over budget"


def fact_value(candidate: dict[str, Any], name: str) -> Any:
    fact = candidate["facts"].get(name)
    return None if fact is None else fact["value"]


def compared(candidate: dict[str, Any], name: str) -> str:
    """A comparison-table cell for one candidate fact."""
    if name == "variant":
        return value(candidate.get("variant"))
    v = fact_value(candidate, name)
    return value(v, "B") if name == "params_b" and v is not None else value(v)


def check_ids(report: dict[str, Any]) -> list[str]:
    """Every check any candidate ran, fit checks first, in the order the report lists them."""
    seen: dict[str, str] = {}
    for candidate in report["candidates"]:
        for check in candidate["checks"]:
            seen.setdefault(check["rule"], check.get("kind", "fit"))
    return sorted(seen, key=lambda rule: (seen[rule] != "fit", rule))
