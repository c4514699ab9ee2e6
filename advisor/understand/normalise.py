"""Stage 1: one surface form per word (case, accents, hyphens, arrows, connectives, typos).

Every rewrite keeps a map back to the original characters, so evidence always quotes the
user's own words, never the normalised text. The rewrites and key terms are data
(knowledge/normalise.yaml).
"""

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from advisor import regexcache
from advisor.understand.data import knowledge

MAX_QUOTE = 80


class Normalised(NamedTuple):
    """Text made matchable, with a map back to the original's characters."""

    original: str
    text: str
    starts: list[int]  # for each character of text: where it starts in original
    ends: list[int]  # ... and where it ends

    def quote(self, start: int, end: int) -> str:
        """The user's words behind text[start:end] (a quote longer than a line is cut: a
        9,000-digit number said back in full would be a 9,000-character message)."""
        if start >= end or start >= len(self.text):
            return ""
        end = min(end, len(self.text))
        words = self.original[self.starts[start] : self.ends[end - 1]].strip()
        return words if len(words) <= MAX_QUOTE else words[: MAX_QUOTE - 1] + "…"


def _fold(text: str) -> Normalised:
    """Lower case without accents (ß -> ss), one original index per output character."""
    out: list[str] = []
    starts: list[int] = []
    for i, char in enumerate(text):
        if char in "\u2018\u2019\u02bc\u00b4`":
            folded = "'"
        else:
            folded = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            ).lower()
        out.append(folded)
        starts += [i] * len(folded)
    return Normalised(text, "".join(out), starts, [s + 1 for s in starts])


def _rewrite(norm: Normalised, regex: re.Pattern, to: str | None, func=None) -> Normalised:
    """Apply one substitution, carrying the character map along."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for match in regex.finditer(norm.text):
        new = func(match) if func is not None else match.expand(to or "")
        if new is None or new == match.group(0):
            continue
        pieces.append(norm.text[last : match.start()])
        starts += norm.starts[last : match.start()]
        ends += norm.ends[last : match.start()]
        if match.end() > match.start():
            span_start = norm.starts[match.start()]
            span_end = norm.ends[match.end() - 1]
        else:  # an insertion: anchor it on the next character
            anchor = min(match.start(), len(norm.text) - 1)
            span_start = norm.starts[anchor] if norm.text else 0
            span_end = span_start
        pieces.append(new)
        starts += [span_start] * len(new)
        ends += [span_end] * len(new)
        last = match.end()
    if not pieces:  # nothing changed
        return norm
    pieces.append(norm.text[last:])
    starts += norm.starts[last:]
    ends += norm.ends[last:]
    return Normalised(norm.original, "".join(pieces), starts, ends)


@lru_cache(maxsize=1)
def _compiled() -> tuple[list[tuple[re.Pattern, str]], dict[str, str], list[tuple[int, int]]]:
    data = knowledge("normalise")
    rewrites = [(regexcache.compile(r["from"], re.IGNORECASE), r["to"]) for r in data["rewrites"]]
    terms = {t.lower(): t.lower() for t in data["typo"]["terms"]}
    # (minimum word length, distance allowed), the longest first: the first one that fits counts
    items = data["typo"]["max_distance"].items()
    distances = sorted(((int(k), int(v)) for k, v in items), reverse=True)
    return rewrites, terms, distances


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment), stopping early past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _correct_word(word: str, terms: dict[str, str], distances: list[tuple[int, int]]) -> str | None:
    if word in terms:
        return None
    limit = next((d for min_length, d in distances if len(word) >= min_length), 0)
    if limit == 0:
        return None
    best = None
    for term in terms:
        if term[0] != word[0] or abs(len(term) - len(word)) > limit:
            continue
        d = _distance(word, term, limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, term)
    return best[1] if best else None


_WORD = regexcache.compile(r"[a-z]+")


def normalise(text: str) -> Normalised:
    rewrites, terms, distances = _compiled()
    norm = _fold(text)
    for regex, to in rewrites:
        norm = _rewrite(norm, regex, to)
    return _rewrite(norm, _WORD, None, lambda m: _correct_word(m.group(0), terms, distances))
