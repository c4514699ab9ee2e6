"""Stage: numbers with their units, classified (knowledge/quantities.yaml)."""

import re
import sys
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from advisor import regexcache
from advisor.understand.data import combine, knowledge
from advisor.understand.negation import Scope, back_to_boundary, negated

# Not after a minus sign that starts a word ("-5 examples" is no count); "5-10k" reads 10k.
# "3e5 rows" is 300,000 (an exponent of at most 4 digits; 1e999 overflows and is refused later).
_NUMBER = (
    r"(?<![\w.,])(?<!\s-)(?<!^-)~?\s?"
    r"(\d{1,3}(?:(?:,|\.|'| )\d{3})+(?![\d])|\d+(?:[.,]\d+)?(?:e[+-]?\d{1,4}\b)?)"
)


class Quantity(NamedTuple):
    """A number read from the text, with its unit and where it stood."""

    value: float
    # examples | tokens | bytes | bytes-unclear (neither GPU nor data said) | files | gpu | params
    # | context (a context length) | length (tokens of one item: the longest example) | None
    unit_class: str | None
    start: int
    end: int
    approx: bool = False
    strength: int = 0
    negated: bool = False
    limit: bool = False  # a limit word stood around it ("at most 8B", "8B or smaller")
    said_from: int = -1  # a training setting: where its words begin ("LoRA rank 64")


class _Compiled(NamedTuple):
    """The quantity lexicon's patterns, compiled once."""

    number: re.Pattern
    vague: tuple[tuple[re.Pattern, int], ...]
    spelled: re.Pattern  # a run of spelled-out number words
    spelled_words: dict[str, tuple[str, int]]  # word -> (number | hundreds | scale, value)
    units: tuple[tuple[str, str, int, re.Pattern], ...]  # (name, class, strength, regex)
    adjacent: frozenset[str]  # units that count only right after the number ("40 Go")
    gpu: re.Pattern
    data_of: re.Pattern  # after a byte unit: the bytes are data ("5GB of text")
    gpu_before: re.Pattern  # before the number: the bytes are GPU memory ("LoRA on 16GB")
    limit: re.Pattern
    limit_after: re.Pattern
    params: re.Pattern
    gap: int
    name_number: re.Pattern  # before the number: it is part of a name ("GPT-4")
    raw_volume: dict[str, float]
    context_after: re.Pattern
    context_before: re.Pattern
    sequence_after: re.Pattern  # a training sequence length: the longest example's tokens
    sequence_before: re.Pattern
    item_before: re.Pattern
    item_after: re.Pattern
    # Training settings said with a number: (spec field, words before it, words after it).
    settings: tuple[tuple[str, re.Pattern | None, re.Pattern | None], ...]
    gpu_models: tuple[tuple[re.Pattern, float | None, str | None], ...]  # (name, GB, sizes)
    gpu_count_words: dict[str, int]
    gpu_count: re.Pattern  # a count right before a GPU name (matched up to the name)
    deploy: re.Pattern  # where the trained model will run ("serve it on", "must run on")
    train: re.Pattern  # ... and where it trains: the nearer one says which GPU is meant
    deploy_after: re.Pattern | None  # said after the GPU ("auf einer L4 bereitgestellt")
    deploy_stop: re.Pattern  # a clause ends: the words before it are another GPU's
    deploy_window: int
    # Several machines around a per-machine count: (before it, after the name), group n each.
    gpu_nodes: tuple[tuple[re.Pattern | None, re.Pattern | None], ...]
    scales: dict[str, float]  # "k" -> 1e3, lower case


def _any(words: list[str], before: str = "", after: str = "") -> re.Pattern:
    """The words as one regex, each between `before` and `after` (the data always has some)."""
    regex = combine([rf"{before}(?:{w}){after}" for w in words])
    assert regex is not None
    return regex


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    data = knowledge("quantities")
    scale = "|".join(re.escape(s) for s in sorted(data["scales"], key=len, reverse=True))
    # A joiner may stand between the words and the number: "context of up to 8k".
    joined = rf"(?:\s*(?:{'|'.join(data['context_joiners'])}))*\s*$"
    deploy = data["deploy"]
    return _Compiled(
        number=regexcache.compile(_NUMBER + rf"\s?(?:({scale})\b\.?)?", re.IGNORECASE),
        vague=tuple((regexcache.compile(v["match"]), int(v["value"])) for v in data["vague"]),
        spelled=_spelled_run(data["spelled"]),
        spelled_words={
            **{w: ("number", int(v)) for w, v in data["spelled"]["numbers"].items()},
            **{w: ("hundreds", 100) for w in data["spelled"]["hundreds"]},
            **{w: ("scale", int(v)) for w, v in data["spelled"]["scales"].items()},
        },
        units=tuple(
            # A unit is a whole word: "3 post-training" ("posttraining") counts no posts.
            (
                name,
                spec.get("class", name),
                int(spec.get("strength", 1)),
                _any(spec["match"], after=r"(?!\w)"),
            )
            for name, spec in data["units"].items()
        ),
        adjacent=frozenset(name for name, spec in data["units"].items() if spec.get("adjacent")),
        gpu=combine(data["gpu_words"]),  # type: ignore[arg-type]
        data_of=_any(data["data_of"], r"\s*"),
        gpu_before=combine(data["gpu_before"]),  # type: ignore[arg-type]
        limit=_any(data["limit_words"], after=r"\s*$"),
        # After the number, at most two words (its unit: "8B parameters or less") come first.
        limit_after=_any(data["limit_after"], r"^(?:\s*[^\W\d_][\w-]*){0,2}?\s*"),
        params=combine(data["param_words"]),  # type: ignore[arg-type]
        gap=int(data["gap"]),
        name_number=_any(data["name_number_after"], r"\b", " ?$"),
        raw_volume={k: float(v) for k, v in data["raw_volume"].items()},
        # After the number: its unit (tokens) may stand between ("8k-token context").
        context_after=_any(data["context_words"], r"^[\s-]*(?:tokens?[\s-]*)?(?:of[\s-]+)?", r"\b"),
        context_before=_any(data["context_words"], after=joined),
        sequence_after=_any(data["sequence_words"], r"^[\s-]*(?:tokens?[\s-]*)?", r"\b"),
        sequence_before=_any(data["sequence_words"], after=joined),
        item_before=_any(data["item_before"], after="$"),
        item_after=_any(data["item_after"], r"^[\s-]*tokens?\s+"),
        settings=tuple(
            (entry["field"], *_setting_form(form, joined))
            for entry in data["settings"]
            for form in entry["forms"]
        ),
        gpu_models=tuple(
            (
                regexcache.compile(rf"(?:{m['match']})(?:s|'s)?\b", re.IGNORECASE),
                m.get("gb"),
                m.get("sizes"),
            )
            for m in data["gpu_models"]
        ),
        gpu_count_words={k: int(v) for k, v in data["gpu_count_words"].items()},
        gpu_count=regexcache.compile(
            rf"(?<![\w.,])(\d{{1,4}}|{'|'.join(data['gpu_count_words'])})(?:\s?[x×*]\s?|\s)"
            # the memory of each may stand between: "4 x 24GB GPUs", "2x 80GB A100"
            r"(?:\d{1,4}\s?(?:gb|gib|g)\s)?(?:nvidia\s|geforce\s)?$",
            re.IGNORECASE,
        ),
        gpu_nodes=_node_forms(data),
        deploy=_any(deploy["words"], r"\b"),
        train=_any(deploy["train_words"], r"\b"),
        deploy_after=combine([rf"\b(?:{w})" for w in deploy.get("words_after") or []]),
        deploy_stop=combine(deploy["clause_ends"]),  # type: ignore[arg-type]
        deploy_window=int(deploy["window"]),
        scales={k.lower(): float(v) for k, v in data["scales"].items()},
    )


def _setting_form(form: dict, joined: str) -> tuple[re.Pattern | None, re.Pattern | None]:
    before, after = form.get("before"), form.get("after")
    return (
        regexcache.compile(rf"(?:{before}){joined}") if before else None,
        regexcache.compile(rf"[\s-]*(?:{after})") if after else None,
    )


def _setting(c: _Compiled, text: str, start: int, end: int) -> tuple[str, int] | None:
    """The training setting a bare number is ("LoRA rank 64"): its field and where its words
    begin; None when no setting's words stand around it."""
    low = max(0, start - 40)
    before_text = text[low:start].rstrip()
    for field, before, after in c.settings:
        said = before.search(before_text) if before is not None else None
        if (before is None or said) and (after is None or after.match(text, end)):
            return field, low + said.start() if said else start
    return None


def _spelled_run(spelled: dict) -> re.Pattern:
    """Number words (longest first), joined by spaces, hyphens or a joiner word."""
    words = [*spelled["numbers"], *spelled["hundreds"], *spelled["scales"]]
    word = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    joiner = "|".join(re.escape(j) for j in spelled["joiners"])
    return regexcache.compile(
        rf"(?<![\w.,-])(?:{word})(?:(?:\s+(?:{joiner})\s+|\s*-\s*|\s+)(?:{word}))*\b",
        re.IGNORECASE,
    )


def _spelled_value(c: _Compiled, words: list[str]) -> float | None:
    """The number a run of number words says, or None when no hundreds or scale word is in it
    or it does not start with a number ("half a thousand": not read rather than misread; see
    quantities.yaml `spelled`)."""
    if not words or c.spelled_words[words[0]][0] != "number":
        return None
    total = current = 0
    scaled = False
    for word in words:
        kind, value = c.spelled_words[word]
        if kind == "number":
            current += value
        elif kind == "hundreds":
            current, scaled = max(current, 1) * 100, True
        else:
            total, current, scaled = total + max(current, 1) * value, 0, True
    return float(total + current) if scaled else None


def _node_forms(data: dict) -> tuple[tuple[re.Pattern | None, re.Pattern | None], ...]:
    """The forms of quantities.yaml gpu_nodes, with {count} and {node} filled in."""
    nodes = data["gpu_nodes"]
    count = rf"(?<![\w.,])(?P<n>\d{{1,4}}|{'|'.join(data['gpu_count_words'])})"
    node = f"(?:{'|'.join(nodes['node_words'])})"

    def compiled(pattern: str | None, anchor: str) -> re.Pattern | None:
        if not pattern:
            return None
        filled = pattern.replace("{count}", count).replace("{node}", node)
        return regexcache.compile(filled + anchor, re.IGNORECASE)

    # `before` ends where the count begins; `after` is matched where the name ends.
    return tuple(
        (compiled(form.get("before"), "$"), compiled(form.get("after"), ""))
        for form in nodes["forms"]
    )


_GROUPED = regexcache.compile(r"\d{1,3}(?:[,.]\d{3})+")  # 12,000 / 12.000
_GROUP_MARK = regexcache.compile(r"[,.]")
_CLAUSE_MARK = regexcache.compile(r"[,.;:!?]")
_SPACE_OR_DOT = regexcache.compile(r"\s*\.?\s*")
_ELIDED = regexcache.compile(r"(?:d|l|qu)'")
_BILLIONS = regexcache.compile(r"b\.?$|bn\.?$|billion$|milliard\w*$|mrd\.?$")


def _value(digits: str, scale: str | None) -> float:
    compact = digits.replace("'", "").replace(" ", "")
    grouped = _GROUPED.fullmatch(compact)
    number = float(_GROUP_MARK.sub("", compact) if grouped else compact.replace(",", "."))
    return number * (_compiled().scales[scale.lower()] if scale else 1)


_WORD = regexcache.compile(r"[^\W\d_][\w']*|\d\S*")
_UNIT_WORD = regexcache.compile(r"\s?[^\W\d_]+")  # the unit word right after a number


def _unit_after(c: _Compiled, text: str, end: int) -> tuple[str, str, int, str] | None:
    """The first unit within `gap` words after the number: name, class, strength, first letters."""
    for count, m in enumerate(_WORD.finditer(text, end), 1):
        if count > c.gap:
            break
        # A unit never stands across a clause: "more than 8B, chat bot" counts no chats.
        between = text[end : m.start()]
        if _CLAUSE_MARK.search(between) and not _SPACE_OR_DOT.fullmatch(between):
            break
        # French and Italian elide the article into the noun: "centaines d'exemples".
        elided = _ELIDED.match(m.group(0))
        start = m.start() + (elided.end() if elided else 0)
        for name, cls, strength, regex in c.units:
            if name in c.adjacent and count > 1:
                continue
            if regex.match(text, start):
                return name, cls, strength, text[start : start + 2]
        if m.group(0)[0].isdigit():
            break
    return None


def read(text: str, scopes: list[Scope]) -> list[Quantity]:
    c = _compiled()
    found: list[Quantity] = []
    spans: list[tuple[int, int, float, bool]] = []
    for regex, value in c.vague:
        for m in regex.finditer(text):
            spans.append((m.start(), m.end(), float(value), True))
    for m in c.spelled.finditer(text):
        if any(a <= m.start() < b for a, b, _, _ in spans):
            continue
        words = [w for w in re.split(r"[\s-]+", m.group(0).lower()) if w in c.spelled_words]
        value = _spelled_value(c, words)
        if value is not None:
            spans.append((m.start(), m.end(), value, False))
    # Numbers never overlap each other: each is checked against the phrases only, so thousands
    # of numbers cost one pass each, not one per number read before them.
    phrases = [(a, b) for a, b, _, _ in spans]
    for m in c.number.finditer(text):
        if any(a <= m.start(1) < b for a, b in phrases):
            continue
        spans.append((m.start(), m.end(), _value(m.group(1), m.group(2)), False))
    for start, end, value, approx in sorted(spans):
        unit = _unit_after(c, text, end)
        _, cls, strength, unit_letters = unit or (None, None, 0, "")
        window_before = text[max(0, start - 40) : start]
        before = window_before.rstrip()
        near = text[max(0, start - 30) : min(len(text), end + 40)]
        unit_word = _UNIT_WORD.match(text, end)  # "5GB| of", "5 GB| of"
        of_data = unit is not None and c.data_of.match(text, unit_word.end() if unit_word else end)
        gpu_context = c.gpu.search(near) or c.gpu_before.search(window_before)
        if cls == "bytes" and gpu_context and not of_data:
            cls = "gpu"
        elif cls == "bytes" and unit:
            value *= float(knowledge("quantities")["byte_scale"].get(unit_letters[:1].lower(), 1))
            if not of_data and not gpu_context:
                cls = "bytes-unclear"  # GPU memory or data? the user is asked (quantities.yaml)
        scale_b = _BILLIONS.search(text[start:end].strip())
        limit = bool(c.limit.search(before) or c.limit_after.search(text[end : end + 40]))
        # "13B parameters for chat": the word right after names the unit, not a later one.
        named_params = c.params.match(text[end:].lstrip())
        # "a 7B chatbot": billions with no unit are a model size (said as one, not unit-less).
        if scale_b and (named_params or cls is None):
            cls = "params"
        said_from = -1
        setting = _setting(c, text, start, end) if cls is None else None
        if setting is not None:
            cls, said_from = setting
        elif cls in (None, "examples") and c.name_number.search(window_before):
            cls = "name-number"
        elif cls in (None, "tokens"):
            after = text[end : end + 40]
            if c.context_after.match(after) or c.context_before.search(before):
                cls = "context"
            else:
                sequence = c.sequence_after.match(after) or c.sequence_before.search(before)
                item = c.item_after.match(after) or c.item_before.search(before)
                if sequence or (cls == "tokens" and item):
                    cls = "length"
        is_negated = negated((start, end), scopes) is not None
        # 400+ digits overflow the float to inf, which int() cannot take: the largest float
        # stands in, and the field's own upper bound says the number is too large.
        value = min(value, sys.float_info.max)
        found.append(
            Quantity(value, cls, start, end, approx, strength, is_negated, limit, said_from)
        )
    return found


class Gpu(NamedTuple):
    """A GPU named in the text: memory per card (None: unknown, or sold in several sizes)."""

    gb: float | None
    sizes: str | None  # "40 or 80 GB" when the name does not say which
    count: int | None  # "2x A100" -> 2; None when no count stands before the name
    start: int  # the span of the count and the name, in `text`
    end: int
    name_start: int  # where the name begins (a memory may stand between: "4 x 24GB GPUs")
    count_start: int = -1  # where the count per machine begins ("two nodes of |8xA100")


def _count_before(c: _Compiled, text: str, start: int) -> tuple[int | None, int]:
    """'2x ', '8x', '4 ', 'two ' right before a GPU name: (count, where it starts)."""
    found = c.gpu_count.search(text, max(0, start - 24), start)
    if not found:
        return None, start
    token = found.group(1).lower()
    count = int(token) if token.isdigit() else c.gpu_count_words[token]
    return (count if count >= 1 else None), found.start()


def _machines(c: _Compiled, text: str, start: int, end: int) -> tuple[int, int, int]:
    """How many machines hold the count before a GPU name, and the span that says so."""
    for before, after in c.gpu_nodes:
        b = before.search(text, max(0, start - 40), start) if before is not None else None
        a = after.match(text, end) if after is not None else None
        if (before is not None and b is None) or (after is not None and a is None):
            continue
        said = next((x["n"] for x in (b, a) if x is not None and x.groupdict().get("n")), "")
        n = int(said) if said.isdigit() else c.gpu_count_words.get(said.lower(), 0)
        if n >= 1:
            return n, b.start() if b else start, a.end() if a else end
    return 1, start, end


def deployed(text: str, start: int, end: int) -> bool:
    """Is the GPU or memory at text[start:end] where the model will run ("serve it on", "must
    run on", "auf einer L4 bereitgestellt")? The nearer of a deploy and a training word before
    it in its clause decides, within the window; a deploy word after it only with no training
    word before it."""
    c = _compiled()
    begin = clause_words_before(text, start)
    deploy = list(c.deploy.finditer(text, begin, start))
    train = list(c.train.finditer(text, begin, start))
    if deploy:
        return not (train and train[-1].start() > deploy[-1].start())
    if train or c.deploy_after is None:
        return False
    stop = clause_words_after(text, end)
    return stop > end and c.deploy_after.search(text, end, stop) is not None


def clause_words_before(text: str, start: int) -> int:
    """Where the deploy window's words before `start` begin: at most deploy_window words, back
    to the clause's start. Only they are searched for a clause end (a search from the start of
    the text for every GPU was quadratic)."""
    c = _compiled()
    begin = back_to_boundary(text, start, c.deploy_window, c.deploy_stop, _WORD)
    words = list(_WORD.finditer(text, begin, start))[-c.deploy_window :]
    return words[0].start() if words else start


def clause_words_after(text: str, end: int) -> int:
    """Where the deploy window's words after `end` stop (`end` itself when there are none): at
    most deploy_window words, up to the clause's end."""
    c = _compiled()
    window = c.deploy_window
    ahead = list(islice(_WORD.finditer(text, end), window + 1))
    limit = ahead[window].start() if len(ahead) > window else len(text)
    stop = c.deploy_stop.search(text, end, limit)
    after = list(_WORD.finditer(text, end, stop.start() if stop else limit))[:window]
    return after[-1].end() if after else end


def gpus(text: str) -> list[Gpu]:
    """The GPUs the text names, in order, each with its count when one stands before it."""
    c = _compiled()
    found: list[Gpu] = []
    taken: list[tuple[int, int]] = []
    for regex, gb, sizes in c.gpu_models:
        for m in regex.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue  # "h100 nvl" before "h100"
            count, start = _count_before(c, text, m.start())
            glued = m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "-_")
            if glued and count is None:
                continue  # inside a word or a model name ("8xh100" has its count glued on)
            taken.append((m.start(), m.end()))
            machines, first, last = (1, start, m.end())
            if count is not None:  # "two nodes of 8xA100": the count is per machine
                machines, first, last = _machines(c, text, start, m.end())
                count *= machines
            found.append(Gpu(gb, sizes, count, first, last, m.start(), start))
    return sorted(found, key=lambda g: g.start)


def raw_volume_threshold(unit_class: str) -> float | None:
    return _compiled().raw_volume.get(unit_class)
