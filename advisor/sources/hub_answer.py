"""What a Hub answer may hold before it is used or cached (a cached one is checked with it).

A Hub answer (or a cache file, which may be old, damaged or edited) is JSON from outside. Before
any reader sees it, every value is brought into what the readers can handle: integers within
64 bits (10**400 overflowed a float conversion), finite floats (JSON's NaN/Infinity), text
without lone surrogates (they cannot be printed in any encoding), nesting at most MAX_DEPTH
deep (no RecursionError downstream), and the Hub token masked wherever it appears. A value
that does not fit becomes None (unknown), so one field costs its own fact, not the candidate.

A fresh answer is cleaned, then cached; a cached answer that would need cleaning was not
written by this version and is discarded (it costs one request, never the run).
"""

from __future__ import annotations

import math
from typing import Any

from advisor.sources.redact import redact, secrets

MAX_DEPTH = 32  # real metadata nests ~6 deep (cardData model-index)
INT_LIMIT = 2**63


def clean(value: Any) -> Any:
    """value with every part in the shape the readers handle (see the module doc)."""
    return _clean(value, 0, secrets())


def _clean(value: Any, depth: int, tokens: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return _text(value, tokens)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and -INT_LIMIT < value < INT_LIMIT:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    # Past here: an integer beyond 64 bits, NaN or Infinity, nesting too deep, or no JSON.
    if depth >= MAX_DEPTH or not isinstance(value, (dict, list, tuple)):
        return None
    if isinstance(value, dict):
        return {_text(str(k), tokens): _clean(v, depth + 1, tokens) for k, v in value.items()}
    return [_clean(item, depth + 1, tokens) for item in value]


def _text(text: str, tokens: tuple[str, ...]) -> str:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    return redact(text, tokens)
