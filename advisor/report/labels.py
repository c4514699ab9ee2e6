"""The one value formatter and the words every format shares (formatting only, no decisions).

Every function returns plain, unescaped text: each renderer escapes it for its own format
(`terminal()` here for text, md() for Markdown, esc() for HTML), so a number or a state reads
the same in every format.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from advisor.values import value

# Control characters (C0, DEL, C1) and the bidi overrides / isolates: from untrusted metadata
# they could retitle a terminal, write the clipboard (OSC 52), fake a link or reorder a line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NOT_SPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escaped(match: re.Match) -> str:
    """A matched control character as an escape (\\x1b, \\u202e): the one spelling of every
    output (reports, stderr, training-config comments)."""
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: Any) -> str:
    """Text for a terminal: every control character shown as an escape, never sent raw."""
    return _CONTROL.sub(escaped, str(text))


# In JSON text a control character inside a string is an escape: \b \f \n \r \t or \u00XX
# below \u0020 (the JSON writers keep DEL, C1 and the bidi marks raw, which _CONTROL finds).
_JSON_C0 = re.compile(r"\\[bfnrt]|\\u00[01]")


def has_controls(value: Any) -> bool:
    """Whether any key or string anywhere in value holds a character terminal() would escape:
    one search over its JSON text (~1 ms), not a walk over its ~100,000 values (100 candidates)."""
    try:
        text = orjson.dumps(value).decode("utf-8")
    except TypeError:  # what orjson cannot encode (e.g. a lone surrogate): assume the worst
        return True
    return bool(_JSON_C0.search(text.replace("\\\\", "")) or _CONTROL.search(text))


def no_controls(text: Any) -> str:
    """The same for a document (Markdown, HTML): tabs and line breaks stay whitespace."""
    return _CONTROL_NOT_SPACE.sub(escaped, str(text))


METHODS = ("full", "lora", "qlora")
METHOD_TITLE = {"full": "Full", "lora": "LoRA", "qlora": "QLoRA"}
EXCEPTION_STATUS = {
    "fired": "fired",
    "silent": "did not fire",
    "unknown": "undecided (facts missing)",
}
CHECK_MARK = {"pass": "pass", "warn": "warn", "fail": "FAIL", "unknown": "?", "not-asked": "-"}
STATE_WORD = {"not-asked": "not asked"}
COMPARED_FACTS = (
    ("variant", "variant"),
    ("license", "licence"),
    ("gated", "gated"),
    ("params_b", "params"),
    ("context", "context"),
    ("chat_template_family", "chat template"),
    ("vocab_size", "vocab"),
)


def gb(v: float | None) -> str:
    return "unknown" if v is None else f"{v:,.1f} GB"


def dataset_line(ds: dict[str, Any]) -> str:
    """A training file's measurements in one phrase, the same in every format."""
    rows = ds["rows"]
    return (
        f"{value(rows)} row{'' if rows == 1 else 's'}, format {ds['format'] or 'mixed/unknown'}, "
        f"longest ~{value(ds['max_tokens'])} tokens, {ds['token_method']}"
    )


def check_counts(counts: dict[str, int]) -> str:
    """A candidate's checks by state: pass, warn and fail always, unknown / not asked if any."""
    shown = [f"{counts.get(s, 0)} {s}" for s in ("pass", "warn", "fail")]
    shown += [f"{n} {STATE_WORD.get(s, s)}" for s, n in counts.items() if n and s not in
              ("pass", "warn", "fail")]  # fmt: skip
    return ", ".join(shown)


def fits(entry: dict[str, Any] | None) -> str:
    return {True: "fits", False: "over budget"}.get((entry or {}).get("fits_gpu"), "")


def fact_value(candidate: dict[str, Any], name: str) -> Any:
    fact = candidate["facts"].get(name)
    return None if fact is None else fact["value"]


def compared(candidate: dict[str, Any], name: str) -> str:
    """A comparison-table cell for one candidate fact."""
    if name == "variant":
        return value(candidate.get("variant"))
    if name in ("context", "context_native"):
        # Native (trained) context, and the longer one the card documents with rope scaling.
        native = fact_value(candidate, "context_native")
        if native is None:
            native = fact_value(candidate, "context_length")
        documented = fact_value(candidate, "context_documented")
        if name == "context_native" or documented is None:
            return value(native)
        return f"{value(native)} native, {value(documented)} with rope scaling"
    v = fact_value(candidate, name)
    return value(v, "B") if name == "params_b" and v is not None else value(v)


def check_ids(report: dict[str, Any]) -> list[str]:
    """Every check any candidate ran, fit checks first, in the order the report lists them."""
    seen: dict[str, str] = {}
    for candidate in report["candidates"]:
        for check in candidate["checks"]:
            seen.setdefault(check["rule"], check.get("kind", "fit"))
    return sorted(seen, key=lambda rule: (seen[rule] != "fit", rule))


def provenance(fact: dict[str, Any]) -> str:
    """'catalog: <basis>; sources: <citations>' - the citation a reader can check."""
    detail = fact.get("detail") or ""
    return f"{fact['source']}: {detail}" if detail else fact["source"]
