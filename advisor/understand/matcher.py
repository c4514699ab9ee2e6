"""One generic matcher for every entry of the reader's data: lexicon terms and task patterns.

An entry matches by its own regular expressions (`match`) or through lexicon terms (`terms`);
a match counts only in the sense its context confirms (`confirm`: one of these words within
`window` words) and not in a sense its context refutes (`refute`: CPT next to "billing codes"
is not continued pretraining). `polarity: negated` entries count only inside a negation
("never adds disclaimers"); every other entry's negated matches count against it.
"""

import re
from itertools import islice
from typing import Any, NamedTuple

from advisor import regexcache
from advisor.understand.data import combine
from advisor.understand.negation import Scope, negated

_WORD = regexcache.compile(r"\w+")


class Context(NamedTuple):
    """Words near an entry's match that confirm or refute it (within `window` characters)."""

    regex: re.Pattern
    window: int
    side: str = "both"  # before | after | both


class ObjectClass(NamedTuple):
    """A class of object words near a match (classify *tickets* vs *images*), and what it sets."""

    id: str
    regex: re.Pattern
    sets: dict[str, Any]  # kind / signals / domains / style that replace the entry's own


class Entry(NamedTuple):
    """One task pattern, compiled: its words and what a match sets."""

    id: str
    sets: dict[str, Any]  # kind, priority, signals, domains, style
    regex: re.Pattern | None
    terms: tuple[str, ...]
    confirm: Context | None
    refute: Context | None
    polarity: str  # any | negated
    objects: tuple[ObjectClass, ...] = ()
    object_window: int = 6


class Hit(NamedTuple):
    """Where an entry matched in the text, and whether it was negated."""

    entry: str
    start: int
    end: int
    negated: bool
    cue: str | None = None
    object: str | None = None  # the object class that decided the sense, if any


def _context(data: Any, default_window: int) -> Context | None:
    if not data:
        return None
    if not isinstance(data, dict):  # a bare list of words, with the default window
        data = {"near": data}
    regex = combine(data["near"])
    window = int(data.get("window", default_window))
    return Context(regex, window, data.get("side", "both")) if regex is not None else None


def compile_entry(data: dict[str, Any]) -> Entry:
    obj = data.get("object") or {}
    objects = tuple(
        ObjectClass(c["id"], combine(c["match"]), dict(c.get("sets") or {}))  # type: ignore[arg-type]
        for c in obj.get("classes", [])
    )
    sets = {k: data[k] for k in ("kind", "priority", "signals", "domains", "style") if k in data}
    return Entry(
        id=data["id"],
        sets=sets,
        regex=combine(data.get("match")),
        terms=tuple(data.get("terms") or ()),
        confirm=_context(data.get("confirm"), 8),
        refute=_context(data.get("refute"), 6),
        polarity=data.get("polarity", "any"),
        objects=objects,
        object_window=int(obj.get("window", 6)),
    )


def _window(text: str, start: int, end: int, words: int) -> tuple[str, str]:
    """The `words` words before and after text[start:end]."""
    before = list(_WORD.finditer(text, 0, start))[-words:] if words else []
    left = text[before[0].start() : start] if before else ""
    after = list(islice(_WORD.finditer(text, end), words))
    right = text[end : after[-1].end()] if after else ""
    return left, right


def _near(context: Context, text: str, start: int, end: int, include_self: bool) -> bool:
    left, right = _window(text, start, end, context.window)
    middle = f" {text[start:end]} " if include_self else " \x00 "
    if context.side == "before":
        right = ""
    elif context.side == "after":
        left = ""
    return context.regex.search(left + middle + right) is not None


def _sense_ok(entry: Entry, text: str, start: int, end: int) -> bool:
    if entry.refute is not None and _near(entry.refute, text, start, end, True):
        return False
    return not (entry.confirm is not None and not _near(entry.confirm, text, start, end, False))


def _object(entry: Entry, text: str, start: int, end: int) -> ObjectClass | None:
    """The nearest object word after the match (else before it) that names a known class."""
    if not entry.objects:
        return None
    left, right = _window(text, start, end, entry.object_window)
    # (how far from the match, class); the first class wins a tie
    after = [(m.start(), cls) for cls in entry.objects if (m := cls.regex.search(right))]
    before = [
        (len(left) - ms[-1].end(), cls)
        for cls in entry.objects
        if (ms := list(cls.regex.finditer(left)))
    ]
    best = min(after or before, key=lambda found: found[0], default=None)
    return best[1] if best else None


def find(
    entry: Entry, text: str, scopes: list[Scope], term_hits: dict[str, list[Hit]] | None = None
) -> list[Hit]:
    """Every place the entry matches in its sense, each marked negated or not."""
    spans: list[tuple[int, int]] = []
    if entry.regex is not None:
        spans += [m.span() for m in entry.regex.finditer(text) if m.end() > m.start()]
    for term in entry.terms:
        spans += [(h.start, h.end) for h in (term_hits or {}).get(term, [])]
    hits: list[Hit] = []
    for start, end in sorted(set(spans)):
        if not _sense_ok(entry, text, start, end):
            continue
        scope = negated((start, end), scopes)
        if entry.polarity == "negated" and scope is None:
            continue
        cls = _object(entry, text, start, end)
        against = scope is not None and entry.polarity != "negated"
        cue = scope.cue if scope else None
        hits.append(Hit(entry.id, start, end, against, cue, cls.id if cls else None))
    return hits


def effects(entry: Entry, hit: Hit) -> dict[str, Any]:
    """What a hit contributes: the entry's own sets, or its object class's."""
    if hit.object is None:
        return entry.sets
    cls = next(c for c in entry.objects if c.id == hit.object)
    return {**{"priority": entry.sets.get("priority", 0)}, **cls.sets}
