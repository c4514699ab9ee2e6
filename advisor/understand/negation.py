"""Stage: which stretches of the text a negation or contrast governs (knowledge/negation.yaml).

A forward cue ("not", "no", "without", "rather than", "kein", "sans", "sin"...) governs the
words after it up to the next boundary (punctuation, "but", "just", "only", "sondern", "mais",
"pero"...) or max_words. When nothing follows before the boundary ("FIM brauchen wir nicht.")
the cue governs the words before it instead. A backward cue ("is not needed", "n'est pas
necessaire") governs the words before it, back to the previous boundary.
"""

import re
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from advisor import regexcache
from advisor.understand.data import combine, knowledge


class Scope(NamedTuple):
    """A stretch of text a negation cue covers."""

    start: int
    end: int
    cue: str


@lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern, re.Pattern | None, re.Pattern, re.Pattern | None, int]:
    data = knowledge("negation")
    forward = combine([rf"\b{c}\b" for c in data["forward"]])
    backward = combine([rf"\b{c}\b" for c in data.get("backward") or []])
    boundary = combine(data["boundaries"])
    not_negation = combine([rf"\b{c}\b" for c in data.get("not_negation") or []])
    assert forward is not None and boundary is not None
    return forward, backward, boundary, not_negation, int(data["max_words"])


_WORD = regexcache.compile(r"\w+")


# A scope never reaches past max_words words, so neither search looks further than that: a text
# of thousands of cues ("not not not ...") costs one short search each, not one to the end.
_LOOK_BACK = 200  # characters per word looked back before the whole text is searched


def _forward_end(text: str, start: int, boundary: re.Pattern, max_words: int) -> int:
    words = list(islice(_WORD.finditer(text, start), max_words + 1))
    limit = words[max_words].start() if len(words) > max_words else len(text)
    stop = boundary.search(text, start, limit)
    if stop:
        return stop.start()
    return words[max_words - 1].end() if len(words) > max_words else len(text)


def words_back(text: str, end: int, count: int, word: re.Pattern = _WORD) -> int:
    """Where the last `count` words before `end` begin (where the text begins when there are
    fewer), looking back only as far as those words reach."""
    low = max(0, end - _LOOK_BACK * count)
    words = list(word.finditer(text, low, end))
    if len(words) < count and low > 0:
        low, words = 0, list(word.finditer(text, 0, end))
    return words[-count].start() if len(words) >= count else low


def back_to_boundary(
    text: str, end: int, count: int, boundary: re.Pattern, word: re.Pattern = _WORD
) -> int:
    """Where the last `count` words before `end` begin, or the last boundary among them ends."""
    start = words_back(text, end, count, word)
    for stop in boundary.finditer(text, start, end):
        start = stop.end()
    return start


def scopes(text: str) -> list[Scope]:
    forward, backward, boundary, not_negation, max_words = _compiled()
    cancelled = [m.span() for m in not_negation.finditer(text)] if not_negation else []
    backward_cues = [cue.span() for cue in backward.finditer(text)] if backward else []
    found = [
        Scope(back_to_boundary(text, a, max_words, boundary), a, text[a:b])
        for a, b in backward_cues
    ]
    for cue in forward.finditer(text):
        if any(a <= cue.start() < b for a, b in cancelled + backward_cues):
            continue
        end = _forward_end(text, cue.end(), boundary, max_words)
        if _WORD.search(text, cue.end(), end):
            found.append(Scope(cue.end(), end, cue.group(0)))
        else:
            start = back_to_boundary(text, cue.start(), max_words, boundary)
            found.append(Scope(start, cue.start(), cue.group(0)))
    return found


def negated(span: tuple[int, int], found: list[Scope]) -> Scope | None:
    start, end = span
    return next((scope for scope in found if scope.start <= start and end <= scope.end + 1), None)
