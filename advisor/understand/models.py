"""Model names in a sentence: Hub repo ids, and catalogued families with an optional size.

The names come from the embedded catalog (its families and repo ids), so a new catalogued
family is understood without a code change. A bare "llama" names no family and is reported as
ignored rather than guessed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from advisor import regexcache
from advisor.understand.data import combine, knowledge
from advisor.understand.negation import Scope, negated
from advisor.understand.normalise import Normalised

_REPO = regexcache.compile(r"(?<![\w/.-])([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)(?![\w/])")
_VAGUE = regexcache.compile(
    r"\b(llama|qwen|mistral|gemma|phi|falcon|olmo|smollm|deepseek)\b(?![ -]?\d)"
)
_RELEASE = regexcache.compile(r"(.*?)((?:[-_ ]v\d+(?:\.\d+)*)?)$")  # name, release suffix
_NAME_PART = regexcache.compile(r"[a-z]+|\d+(?:\.\d+)?")


def _family_regex(family: str) -> re.Pattern:
    # A release suffix may go unsaid: "Mistral 7B" names Mistral-7B-v0.3.
    name, release = _RELEASE.match(family.lower()).groups()  # type: ignore[union-attr]
    body = r"[ -]?".join(re.escape(p) for p in _NAME_PART.findall(name))
    if release:
        body += rf"(?:[ -]?{re.escape(release.lstrip('-_ '))})?"
    return regexcache.compile(rf"\b{body}(?![\d.]*\d)(?:[ -]?(\d+(?:\.\d+)?)b\b)?", re.IGNORECASE)


@lru_cache(maxsize=1)
def _families() -> list[tuple[str, re.Pattern, list[tuple[str, float | None, str | None]]]]:
    from advisor.sources import catalog
    from advisor.sources.resolve import fetch_one

    by_family: dict[str, list[tuple[str, float | None, str | None]]] = {}
    for repo_id in catalog.repo_ids():
        # The raw catalog entry: three values, no need to build (and complete) its ModelFacts,
        # except where the size is derived (OLMo-2: counted from its architecture dimensions).
        facts = {name: fact.get("value") for name, fact in catalog.entry(repo_id)["facts"].items()}
        if facts.get("family") and facts.get("params_b") is None:
            facts["params_b"] = fetch_one(repo_id, source="catalog").get("params_b")
        if facts.get("family"):
            by_family.setdefault(facts["family"], []).append(
                (repo_id, facts.get("params_b"), facts.get("variant"))
            )
    # Longer names first: "Phi-3.5" before "Phi-3", "Llama-3.1" before "Llama-3".
    names = sorted(by_family, key=len, reverse=True)
    return [(name, _family_regex(name), by_family[name]) for name in names]


@lru_cache(maxsize=1)
def _licence_names() -> re.Pattern:
    names = [p for li in knowledge("constraints")["licences"] for p in li["match"]]
    return combine(names) or regexcache.compile(r"(?!)")


# A model the text rules out ("not Llama-3.1", "we don't want Mistral-7B") is no candidate: the
# spec has no field for excluded models, so it is said, not used (and never becomes the set).
RULED_OUT = "ruled out; the spec has no field for excluded models (list the ones you want)"
VAGUE = "not a specific model family (name one, e.g. Llama-3.1 or Qwen2.5, or a repo org/name)"


def _acronym(words: str) -> bool:
    return len(words) <= 3 and words.isupper()


def _ruled_out(start: int, found_scopes: list[Scope]) -> bool:
    # The name's first character: a scope ends at a '.', and "Llama-3.1" has one inside.
    return negated((start, start + 1), found_scopes) is not None


def models_in(
    norm: Normalised, found_scopes: list[Scope] = ()
) -> tuple[list[tuple[str, str]], list[str], list[tuple[int, int]]]:
    """[(repo id, the user's words)], what was read but not used, and where model names stand
    in the original text (a size there, "OLMo 2 7B", is not a quantity of anything else).
    `found_scopes`: the text's negations (negation.scopes)."""
    from advisor.sources import catalog

    found: list[tuple[str, str]] = []
    ignored: list[str] = []
    spans: list[tuple[int, int]] = []
    in_repo_ids: list[tuple[int, int]] = []  # in the normalised text: no family is read there
    for m in _REPO.finditer(norm.original):
        spans.append(m.span())
        repo = m.group(1).rstrip(".")
        inner = (bisect_left(norm.starts, m.start()), bisect_left(norm.starts, m.end()))
        in_repo_ids.append(inner)
        if _ruled_out(inner[0], found_scopes):
            ignored.append(f"'{repo}': {RULED_OUT}")
        elif catalog.entry(repo) is not None or re.search(r"\d", repo.split("/")[1]):
            found.append((repo, repo))
    text = norm.text
    # A family named in a licence's name ("the Llama 3.1 licence", "no Qwen license") names
    # the licence (constraints.yaml licences), not a model.
    taken = in_repo_ids + [m.span() for m in _licence_names().finditer(text)]
    for family, regex, repos in _families():
        for m in regex.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            spans.append((norm.starts[m.start()], norm.ends[m.end() - 1]))
            words = norm.quote(*m.span())
            if _ruled_out(m.start(), found_scopes):
                ignored.append(f"'{words}': {RULED_OUT}")
                continue
            size = float(m.group(1)) if m.group(1) else None
            # Within 15% of the size said, multiplied rather than divided: "0.0B" is a size too.
            chosen = [r for r, params, _ in repos if size is not None and params is not None
                      and abs(params - size) < 0.15 * size]  # fmt: skip
            if size is not None and not chosen:
                ignored.append(f"'{words}': no catalogued {family} model of that size")
                continue
            if size is None:
                chosen = [f"family:{family}"]
            for repo in chosen:
                if repo not in [r for r, _ in found]:
                    found.append((repo, words))
            break
    # The first bare family name ("llama"), when no model was named: said, not guessed.
    for m in () if found else _VAGUE.finditer(text):
        # "PHI" in capitals is an acronym (protected health information), not Phi
        if any(a <= m.start() < b for a, b in taken) or _acronym(norm.quote(*m.span())):
            continue
        why = RULED_OUT if _ruled_out(m.start(), found_scopes) else VAGUE
        ignored.append(f"'{norm.quote(*m.span())}': {why}")
        break
    return found, ignored, spans
