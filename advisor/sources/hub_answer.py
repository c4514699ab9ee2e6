"""What a Hub answer may hold before it is used or cached, and the check of a cached one.

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


class _Cleaner:
    def __init__(self) -> None:
        self.tokens = secrets()
        self.changed = False

    def value(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int) and -INT_LIMIT < value < INT_LIMIT:
            return value
        if isinstance(value, float) and math.isfinite(value):
            return value
        # Past here: an integer beyond 64 bits, NaN or Infinity, nesting too deep, or no JSON.
        if depth >= MAX_DEPTH or not isinstance(value, (dict, list, tuple)):
            self.changed = True
            return None
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v, depth + 1) for k, v in value.items()}
        return [self.value(item, depth + 1) for item in value]

    def text(self, text: str) -> str:
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                self.changed = True
                text = text.encode("utf-8", "replace").decode("utf-8")
        masked = redact(text, self.tokens)
        self.changed |= masked != text
        return masked


def clean(value: Any) -> Any:
    """value with every part in the shape the readers handle (see the module doc)."""
    return _Cleaner().value(value, 0)


def needs_cleaning(value: Any) -> bool:
    """Whether clean() would change anything: a cached answer that does is not ours."""
    cleaner = _Cleaner()
    cleaner.value(value, 0)
    return cleaner.changed
