"""The stages in order, from the user's text to an Understanding with evidence."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from advisor import regexcache
from advisor.understand import Understanding
from advisor.understand.data import combine, knowledge
from advisor.understand.matcher import Entry, Hit, compile_entry, effects, find
from advisor.understand.models import models_in
from advisor.understand.negation import Scope, negated, scopes
from advisor.understand.normalise import Normalised, normalise
from advisor.understand.quantities import Gpu, Quantity, deployed, gpus, raw_volume_threshold
from advisor.understand.quantities import read as read_quantities


@lru_cache(maxsize=1)
def lexicon() -> tuple[Entry, ...]:
    return tuple(compile_entry(t) for t in knowledge("lexicon")["terms"])


@lru_cache(maxsize=1)
def patterns() -> tuple[Entry, ...]:
    return tuple(compile_entry(p) for p in knowledge("task_patterns")["patterns"])


@lru_cache(maxsize=1)
def own_alignment_parts() -> tuple[dict[str, Entry], list[dict[str, int]]]:
    data = knowledge("own_alignment")
    parts = {name: compile_entry({"id": name, **spec}) for name, spec in data["parts"].items()}
    return parts, list(data["enough"])


def term_hits(norm: Normalised, found: list[Scope]) -> dict[str, list[Hit]]:
    return {entry.id: find(entry, norm.text, found) for entry in lexicon()}


def read(text: str) -> Understanding:
    norm = normalise(text)
    found = scopes(norm.text)
    terms = term_hits(norm, found)
    narrowed = _consumed(found, norm, terms)
    if narrowed != found:
        found, terms = narrowed, term_hits(norm, narrowed)
    result = Understanding()
    repos, ignored, names = models_in(norm, found)
    _read_patterns(result, norm, found, terms)
    _read_own_alignment(result, norm, found, terms)
    _read_quantities(result, norm, found, names)
    _read_constraints(result, norm, found)
    if repos:  # the model names
        quoted = ", ".join(dict.fromkeys(said for _, said in repos))
        result.facts["models.candidates"] = _fact([repo for repo, _ in repos], quoted)
    result.ignored += ignored
    _keep_what_the_spec_accepts(result)
    for part in ("signals", "domains", "style"):
        setattr(result, part, sorted(set(getattr(result, part))))
    return result


def _consumed(found: list[Scope], norm: Normalised, terms: dict[str, list[Hit]]) -> list[Scope]:
    """A negation that a `polarity: negated` entry needs governs that entry's words only.
    "never refuses to explain exploits", "no disclaimers about dosages": the cue negates the
    refusal or the disclaimer; what follows is what the user wants answered, not excluded."""
    needing = [e for e in patterns() if e.polarity == "negated"]
    needing += [e for e in own_alignment_parts()[0].values() if e.polarity == "negated"]
    spans = [(h.start, h.end) for e in needing for h in find(e, norm.text, found, terms)]
    out = []
    for scope in found:
        inside = [s for s in spans if negated(s, [scope]) is not None]
        if inside:
            scope = Scope(min(a for a, _ in inside), max(b for _, b in inside), scope.cue)
        out.append(scope)
    return out


def _fact(value: Any, words: str, **more: Any) -> dict[str, Any]:
    """A value read from the text, with the user's words it came from."""
    return {"value": value, "from": words, **more}


def _evidence(
    stage: str, pattern: str, matched: str, object_class: str | None = None, **extra: Any
) -> dict[str, Any]:
    """What matched, in the user's words (and the object class that decided its sense)."""
    out: dict[str, Any] = {"stage": stage, "pattern": pattern, "matched": matched}
    if object_class:
        out["object"] = object_class
    return out | extra


def _against(norm: Normalised, entry: Entry, hit: Hit) -> dict[str, Any]:
    said = entry.sets.get("kind") or ", ".join(
        entry.sets.get("signals") or entry.sets.get("domains") or entry.sets.get("style") or []
    )
    return {
        "pattern": entry.id,
        "matched": norm.quote(hit.start, hit.end),
        "negated_by": hit.cue,
        "against": said or entry.id,
    }


def _read_patterns(
    result: Understanding, norm: Normalised, found: list[Scope], terms: dict[str, list[Hit]]
) -> None:
    best: tuple[int, str] | None = None
    for entry in patterns():
        hits = find(entry, norm.text, found, terms)
        result.against += [_against(norm, entry, h) for h in hits if h.negated]
        hit = next((h for h in hits if not h.negated), None)
        if hit is None:
            continue
        sets = effects(entry, hit)
        said = [k for k in ("kind", "signals", "domains", "style") if sets.get(k)]
        words = norm.quote(hit.start, hit.end)
        result.evidence.append(_evidence("patterns", entry.id, words, hit.object, sets=said))
        for part in ("signals", "domains", "style"):
            getattr(result, part).extend(sets.get(part) or [])
        if sets.get("kind"):
            key = (int(sets.get("priority", entry.sets.get("priority", 0))), sets["kind"])
            if best is None or key > best:
                best = key
                kind_words = words
    if best:
        result.kind = best[1]
        result.kind_from = kind_words


def _read_own_alignment(
    result: Understanding, norm: Normalised, found: list[Scope], terms: dict[str, list[Hit]]
) -> None:
    parts, enough = own_alignment_parts()
    counts: dict[str, int] = {}
    words: list[str] = []
    for name, entry in parts.items():
        hits = [h for h in find(entry, norm.text, found, terms) if not h.negated]
        if not hits:
            continue
        spans = {(h.start, h.end) for h in hits}
        distinct = {norm.text[a:b] for a, b in spans}
        if entry.terms:  # count distinct lexicon terms (SFT and DPO are two stages)
            distinct = {
                t for t in entry.terms for h in terms.get(t, []) if (h.start, h.end) in spans
            }
        counts[name] = len(distinct)
        if name != "own-format":
            words += [norm.quote(h.start, h.end) for h in hits]
        else:
            result.signals.append("own-chat-format")
            quote = norm.quote(hits[0].start, hits[0].end)
            result.facts["training.custom_chat_format"] = _fact(True, quote)
            result.evidence.append(_evidence("own-alignment", "own-format", quote, hits[0].object))
    met = next((alt for alt in enough if all(counts.get(p, 0) >= n for p, n in alt.items())), None)
    if met is None:
        return
    unique = list(dict.fromkeys(words))
    # "SFT" inside "our own SFT then DPO" is said once.
    quoted = "; ".join(w for w in unique if not any(w != o and w in o for o in unique))
    result.signals.append("own-post-training")
    result.facts["training.own_alignment"] = _fact(True, quoted, parts={p: counts[p] for p in met})
    result.evidence.append(
        _evidence("own-alignment", "own-post-training", quoted, sets=["signals"])
    )
    if result.kind is None or result.kind in ("chat", "generation", "qa", "other"):
        result.kind = "alignment"
        result.kind_from = quoted


# --- quantities ---------------------------------------------------------------------------


def _read_quantities(
    result: Understanding, norm: Normalised, found: list[Scope], names: list[tuple[int, int]]
) -> None:
    best: Quantity | None = None
    named_gpus = gpus(norm.text)
    deploy_memory: list[Quantity] = []
    for q in read_quantities(norm.text, found):
        where = norm.starts[q.start]
        if any(a <= where < b for a, b in names):
            continue  # the size in a model's name ("OLMo 2 7B", "Qwen2.5-7B"): not a quantity
        if any(
            q.start in (g.start, g.count_start) or g.name_start <= q.start < g.end
            for g in named_gpus
        ):
            continue  # "2x A100", "a 4090", "two nodes of 8xA100": a GPU count or name, read below
        words = norm.quote(q.start, _unit_end(norm.text, q.end))
        value = int(q.value) if float(q.value).is_integer() else q.value
        cls = q.unit_class
        shown = {"value": value, "class": cls, "matched": words}
        if q.approx:
            shown["approx"] = True
        shown["used_as"] = None  # unless a branch below uses it
        if q.negated:
            shown["why"] = "negated"
        elif cls == "examples":
            shown["used_as"] = "data.examples"
            if best is None or q.strength > best.strength:
                best = q
        elif cls in ("tokens", "bytes", "files"):
            threshold = raw_volume_threshold(cls)
            if threshold is not None and q.value >= threshold:
                shown["used_as"] = "signal raw-volume"
                result.signals.append("raw-volume")
        elif cls == "bytes-unclear":
            result.ignored.append(f"'{words}': {knowledge('quantities')['bytes_unclear']}")
        elif cls == "gpu" and deployed(norm.text, q.start, q.end):
            result.ignored.append(_deploy_note(words))
            deploy_memory.append(q)  # "serve on a 24GB L4": said once
        elif cls == "gpu":
            shown["used_as"] = "training.gpu_memory_gb"
            result.facts.setdefault("training.gpu_memory_gb", _fact(float(q.value), words))
        elif cls in ("context", "length"):
            name = "constraints.min_context" if cls == "context" else "data.max_tokens"
            shown["used_as"] = name
            held = result.facts.get(name)
            if held is None or held["value"] < int(q.value):  # the longest one said counts
                result.facts[name] = _fact(int(q.value), words)
        elif q.said_from >= 0:  # a training setting ("LoRA rank 64"): cls is its spec field
            shown["used_as"] = cls
            result.facts.setdefault(cls, _fact(_int(q.value), norm.quote(q.said_from, q.end)))
        elif cls == "params" and q.limit:
            shown["used_as"] = "constraints.max_params"
            held = result.facts.get("constraints.max_params")
            if held is None or int(q.value) < held["value"]:  # under both: the smaller counts
                result.facts["constraints.max_params"] = _fact(int(q.value), words)
        else:
            bare = norm.quote(q.start, q.end)
            if cls is None and (q.value >= 10 or not bare.replace(".", "").isdigit()):
                result.ignored.append(f"'{bare}': a number without a unit advisor knows")
            elif cls == "params":
                result.ignored.append(f"'{words}': a model size, not a limit (say 'at most ...')")
        result.quantities.append(shown)
    named_gpus = [g for g in named_gpus if negated((g.start, g.end), found) is None]
    training_gpus = []
    for gpu in named_gpus:
        if not deployed(norm.text, gpu.start, gpu.end):
            training_gpus.append(gpu)
        elif not any(gpu.start - 12 <= q.start < gpu.end for q in deploy_memory):
            result.ignored.append(_deploy_note(norm.quote(gpu.start, gpu.end)))
    _read_gpus(result, norm, training_gpus)
    if best is not None:
        for shown in result.quantities:
            if shown.get("used_as") == "data.examples" and shown["value"] != _int(best.value):
                shown.update(used_as=None, why="another count was read as the number of examples")
        words = norm.quote(best.start, _unit_end(norm.text, best.end))
        approx = {"approx": True} if best.approx else {}
        result.facts["data.examples"] = _fact(_int(best.value), words, **approx)


def _read_gpus(result: Understanding, norm: Normalised, named: list[Gpu]) -> None:
    """How many GPUs ("2x A100", "four 4090s"), and their memory from the name when no number
    of gigabytes was given ("a single 4090" is 24 GB; "an A100" comes in 40 and 80 GB: asked).
    `named`: the GPUs not negated ("we don't have an H100, only a 4090" names the 4090)."""
    for gpu in named:
        words = norm.quote(gpu.start, gpu.end)
        if gpu.count is not None:
            result.facts.setdefault("training.gpus", _fact(gpu.count, words))
        if gpu.gb is not None:
            result.facts.setdefault("training.gpu_memory_gb", _fact(float(gpu.gb), words))
    if "training.gpu_memory_gb" not in result.facts:
        for gpu in named:
            if gpu.sizes:
                result.ignored.append(
                    f"'{norm.quote(gpu.start, gpu.end)}': sold with {gpu.sizes}; say which "
                    "(e.g. 'A100 80GB') to check memory"
                )


def _deploy_note(words: str) -> str:
    # The spec has no field for where the model runs after training: said, not used.
    return f"'{words}': {knowledge('quantities')['deploy']['note']}"


def _int(value: float) -> int:
    return int(round(value))


def _unit_end(text: str, end: int) -> int:
    """Quote the number with the few words after it (its unit)."""
    m = regexcache.compile(r"(?:\s*\.?\s*[^\W\d_][\w']*){1,2}").match(text, end)
    return m.end() if m else end


# --- constraints --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _constraints() -> dict[str, Any]:
    data = knowledge("constraints")
    return {
        "training.method": [(m["value"], combine(m["match"])) for m in data["methods"]],
        "data.format": [(f["value"], combine(f["match"])) for f in data["formats"]],
        "training.optimizer": [(o["value"], combine(o["match"])) for o in data["optimizers"]],
        "commercial": [
            (c.get("value"), combine(c["match"]), c.get("ask")) for c in data["commercial"]
        ],
        "licences": [(li["id"], combine(li["match"])) for li in data["licences"]],
        "licence_context": combine(data["licence_context"]),
        "licence_excluded": data["licence_excluded"],
        "licence_vague": [(v["note"], combine(v["match"])) for v in data["licence_vague"]],
        "cannot_say": [(c["note"], combine(c["match"])) for c in data["cannot_say"]],
        "licence_also": combine([rf"\W*(?:{w})" for w in data["licence_also"]]),
        "languages": [
            (code, combine([rf"\b{n}\b" for n in names]))
            for code, names in data["languages"].items()
        ],
    }


def _first(regex: re.Pattern | None, text: str, found: list[Scope]):
    m = regex.search(text) if regex is not None else None
    return (m, negated(m.span(), found) is not None) if m else None


def _read_constraints(result: Understanding, norm: Normalised, found: list[Scope]) -> None:
    data = _constraints()
    text = norm.text
    # the first entry that matches decides
    for field in ("training.method", "data.format", "training.optimizer"):
        for value, regex in data[field]:
            hit = _first(regex, text, found)
            if hit and not hit[1] and field not in result.facts:
                result.facts[field] = _fact(value, norm.quote(*hit[0].span()))
    asked: list[str] = []
    for value, regex, ask in data["commercial"]:
        hit = _first(regex, text, found)
        if hit and ask is not None:
            if not hit[1]:
                asked.append(f"'{norm.quote(*hit[0].span())}': {ask}")
        elif hit and "constraints.commercial_use" not in result.facts:
            said = (not value) if hit[1] else value
            result.facts["constraints.commercial_use"] = _fact(said, norm.quote(*hit[0].span()))
    if "constraints.commercial_use" not in result.facts:
        result.ignored += asked
    licences: list[tuple[int, str, str]] = []
    for licence_id, regex in data["licences"]:
        for m in regex.finditer(text):
            near = text[max(0, m.start() - 40) : m.end() + 40]
            if not data["licence_context"].search(near):
                continue
            if negated(m.span(), found) is not None:
                result.ignored.append(f"'{norm.quote(*m.span())}': {data['licence_excluded']}")
                break
            also = data["licence_also"].match(text, m.end())
            if also:
                said = norm.quote(m.start(), also.end())
                result.ignored.append(
                    f"'{said}': one acceptable licence, not the only one; to restrict, list "
                    "every licence you accept (e.g. 'apache-2.0, MIT or Llama licence only')"
                )
            else:
                licences.append((m.start(), licence_id, norm.quote(*m.span())))
            break
    for note, regex in data["licence_vague"]:
        hit = _first(regex, text, found)
        if hit and not hit[1]:
            result.ignored.append(f"'{norm.quote(*hit[0].span())}': {note}")
    for note, regex in data["cannot_say"]:  # its own negation is part of the phrase
        m = regex.search(text)
        if m:
            result.ignored.append(f"'{norm.quote(*m.span())}': {note}")
    if licences:
        result.facts["constraints.licenses"] = _in_order(licences)
    languages: list[tuple[int, str, str]] = []
    for code, regex in data["languages"]:
        hit = _first(regex, text, found)
        if hit and not hit[1]:
            languages.append((hit[0].start(), code, norm.quote(*hit[0].span())))
    if languages:
        result.facts["constraints.languages"] = _in_order(languages)


def _in_order(said: list[tuple[int, str, str]]) -> dict[str, Any]:
    """(where, value, words) read from the text: the values in the order they were said."""
    said.sort()
    return _fact([value for _, value, _ in said], ", ".join(q for _, _, q in said))


def _keep_what_the_spec_accepts(result: Understanding) -> None:
    """A read value the spec refuses ("a context of 999999999999k tokens") is not a fact: it
    goes to `ignored` with the spec's reason. Were it kept, the spec as used could not take it
    and every other value read from the text would be dropped with it."""
    from pydantic import ValidationError

    from advisor.spec import TaskSpec

    for _ in range(len(result.facts)):
        data: dict[str, dict[str, Any]] = {"task": {"description": "-"}}
        for name, fact in result.facts.items():
            if name == "models.candidates":  # families, resolved to repos later (pipeline)
                continue
            section, field = name.split(".")
            data.setdefault(section, {})[field] = fact["value"]
        try:
            TaskSpec.model_validate(data)
            return
        except ValidationError as exc:
            error = exc.errors()[0]
            name = ".".join(str(part) for part in error["loc"][:2])
            fact = result.facts.pop(name, None)
            if fact is None:  # not one of ours: leave the reading as it is
                return
            reason = error["msg"].removeprefix("Value error, ")
            result.ignored.append(f"'{fact['from']}': {name} {reason.lower()}")
