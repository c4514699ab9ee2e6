"""Model names in a sentence: Hub repo ids, and catalogued families with an optional size.

The names come from the embedded catalog (its families and repo ids), so a new catalogued
family is understood without a code change. A bare "llama" names no family and is reported as
ignored rather than guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from advisor import regexcache
from advisor.understand.normalise import Normalised

_REPO = regexcache.compile(r"(?<![\w/.-])([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)(?![\w/])")
_VAGUE = regexcache.compile(
    r"\b(llama|qwen|mistral|gemma|phi|falcon|olmo|smollm|deepseek)\b(?![ -]?\d)"
)


def _family_regex(family: str) -> re.Pattern:
    parts = re.findall(r"[a-z]+|\d+(?:\.\d+)?", family.lower())
    body = r"[ -]?".join(re.escape(p) for p in parts)
    return regexcache.compile(rf"\b{body}(?![\d.]*\d)(?:[ -]?(\d+(?:\.\d+)?)b\b)?", re.IGNORECASE)


@lru_cache(maxsize=1)
def _families() -> list[tuple[str, re.Pattern, list[tuple[str, float | None, str | None]]]]:
    from advisor.sources import catalog

    by_family: dict[str, list[tuple[str, float | None, str | None]]] = {}
    for repo_id in catalog.repo_ids():
        # The raw catalog entry: three values, no need to build (and complete) its ModelFacts.
        facts = {name: fact.get("value") for name, fact in catalog.entry(repo_id)["facts"].items()}
        if facts.get("family"):
            by_family.setdefault(facts["family"], []).append(
                (repo_id, facts.get("params_b"), facts.get("variant"))
            )
    # Longer names first: "Phi-3.5" before "Phi-3", "Llama-3.1" before "Llama-3".
    names = sorted(by_family, key=len, reverse=True)
    return [(name, _family_regex(name), by_family[name]) for name in names]


def models_in(norm: Normalised) -> tuple[list[tuple[str, str]], list[str]]:
    """[(repo id, the user's words)], and what was read but not used."""
    from advisor.sources import catalog

    found: list[tuple[str, str]] = []
    ignored: list[str] = []
    for m in _REPO.finditer(norm.original):
        repo = m.group(1).rstrip(".")
        if catalog.entry(repo) is not None or re.search(r"\d", repo.split("/")[1]):
            found.append((repo, repo))
    taken: list[tuple[int, int]] = []
    text = norm.text
    for family, regex, repos in _families():
        for m in regex.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            words = norm.quote(*m.span())
            size = float(m.group(1)) if m.group(1) else None
            chosen = [r for r, params, _ in repos if size is not None and params is not None
                      and abs(params - size) / size < 0.15]  # fmt: skip
            if size is not None and not chosen:
                ignored.append(f"'{words}': no catalogued {family} model of that size")
                continue
            if size is None:
                chosen = [f"family:{family}"]
            for repo in chosen:
                if repo not in [r for r, _ in found]:
                    found.append((repo, words))
            break
    if not found:
        for m in _VAGUE.finditer(text):
            ignored.append(
                f"'{norm.quote(*m.span())}': not a specific model family (name one, e.g. "
                "Llama-3.1 or Qwen2.5, or a repo org/name)"
            )
            break
    return found, ignored
