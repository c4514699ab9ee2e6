"""The embedded catalog: sourced facts for popular families, the offline default."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from advisor.derive import complete
from advisor.facts import SOURCE_CATALOG, ModelFacts


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict[str, Any]]:
    text = resources.files("advisor.catalog").joinpath("models.json").read_text("utf-8")
    entries: dict[str, dict[str, Any]] = {}
    for entry in json.loads(text)["models"]:
        entries[entry["repo_id"].lower()] = entry
        for alias in entry.get("aliases") or []:
            entries.setdefault(alias.lower(), entry)
    return entries


def repo_ids() -> list[str]:
    """Every repo id in the catalog, in catalog order (aliases excluded)."""
    seen: dict[str, None] = {}
    for entry in _entries().values():
        seen.setdefault(entry["repo_id"], None)
    return list(seen)


def entry(repo_id: str) -> dict[str, Any] | None:
    return _entries().get(repo_id.lower())


def lookup(repo_id: str) -> ModelFacts | None:
    """Catalog facts for a repo id (case-insensitive, renamed ids too), or None if not listed."""
    found = entry(repo_id)
    if found is None:
        return None
    facts = ModelFacts(found["repo_id"])
    for name, fact in found["facts"].items():
        facts.set(name, fact["value"], SOURCE_CATALOG, fact.get("detail", ""))
    facts.set("repo_id", found["repo_id"], SOURCE_CATALOG)
    variant = found["facts"]["variant"]
    facts.variant_evidence.append(variant["detail"])
    facts.variant_confidence = "high"
    if sibling_id(facts):
        facts.set_default("family_has_base", True, SOURCE_CATALOG, "a base sibling is catalogued")
    return complete(facts)


def sibling_id(facts: ModelFacts) -> str | None:
    """The other variant of the same model: a base repo's instruct child, or an instruct's base."""
    if facts.get("variant") == "base":
        return facts.get("instruct_sibling")
    base = facts.get("base_model")
    # Only a catalogued base counts as the sibling (a distill's base is another family).
    if base and (e := entry(base)) and e["facts"]["variant"]["value"] == "base":
        return e["repo_id"]
    return None


def sources_of(repo_id: str) -> list[str]:
    found = entry(repo_id)
    return list(found["sources"]) if found else []
