"""Languages by name, and which asked-for languages a model card covers (declared or claimed)."""

from __future__ import annotations

from functools import lru_cache

import yaml

from advisor import packaged
from advisor.facts import ModelFacts


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """ISO 639-1 code -> English name (advisor/knowledge/languages.yaml)."""
    text = packaged.read_text("advisor.knowledge", "languages.yaml")
    return yaml.safe_load(text)["languages"]


def name_of(code: str) -> str:
    """'ja' -> 'Japanese'; 'pt-BR' -> 'Portuguese (pt-BR)'; an unlisted code stays as given."""
    base = code.lower().split("-")[0]
    name = names().get(base)
    if name is None:
        return code
    return name if base == code.lower() else f"{name} ({code})"


def language_coverage(wanted: list[str], facts: ModelFacts) -> tuple[list[str], list[str]] | None:
    """(asked-for languages not covered, languages covered) by name, or None when unknown.

    Covered = declared in the card's front matter or named in its prose. A card that declares
    nothing and names no language (Qwen3: "119 languages") leaves every language unknown.
    """
    known: list[str] = []
    for fact in ("languages", "languages_claimed"):
        value = facts.get(fact)
        if isinstance(value, list):
            known += [str(v).lower().split("-")[0] for v in value]
    known = list(dict.fromkeys(known))
    if not known:
        return None
    missing = [name_of(code) for code in wanted if code.lower().split("-")[0] not in known]
    return missing, [name_of(code) for code in known]
