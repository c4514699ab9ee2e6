"""The embedded catalog: sourced facts for popular families, the offline default."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from advisor import packaged
from advisor.facts import SOURCE_CATALOG, ModelFacts, family


def catalog_path() -> Path:
    """The embedded catalog, or the file ADVISOR_CATALOG names (e.g. a refreshed copy)."""
    if override := os.environ.get("ADVISOR_CATALOG"):
        return Path(override)
    return packaged.folder("advisor.catalog") / "models.json"


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict[str, Any]]:
    if os.environ.get("ADVISOR_CATALOG"):
        from advisor.sources.catalog_file import read_catalog

        models = read_catalog(catalog_path())["models"]  # the user's file: checked entry by entry
    else:
        # The embedded file is checked by the tests (tests/test_hub_cache.py), not at each run;
        # orjson reads its 750 KB in half the time json takes.
        models = orjson.loads(catalog_path().read_bytes())["models"]
    entries: dict[str, dict[str, Any]] = {}
    for entry in models:
        entries[entry["repo_id"].lower()] = entry
        for alias in entry.get("aliases") or []:
            entries.setdefault(alias.lower(), entry)
    return entries


def repo_ids() -> list[str]:
    """Every repo id in the catalog, in catalog order (aliases excluded)."""
    return list(dict.fromkeys(entry["repo_id"] for entry in _entries().values()))


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
    facts.variant_evidence.append(found["facts"]["variant"]["detail"])
    facts.variant_confidence = "high"
    facts.sources = list(found["sources"])
    if sibling(facts):
        facts.set_default("family_has_base", True, SOURCE_CATALOG, "a base sibling is catalogued")
    return facts


def lookup_or_unknown(repo_id: str) -> ModelFacts:
    """Catalog facts, or an empty record whose error says the repo is not catalogued."""
    return lookup(repo_id) or ModelFacts(
        repo_id,
        error_kind="not-found",
        error=f"{repo_id}: not in the embedded catalog, so its facts are unknown "
        "(use --source hub or auto to look it up on the Hugging Face Hub)",
    )


def variant_of(repo_id: str | None) -> str | None:
    """The catalogued variant of a repo, or None when it is not catalogued."""
    found = entry(repo_id) if isinstance(repo_id, str) else None
    return found["facts"]["variant"]["value"] if found else None


def sibling(facts: ModelFacts) -> str | None:
    """The catalogued sibling, in the catalog's spelling (renamed ids too) when it is listed:
    only a catalogued base counts for an instruct repo."""
    found = family.sibling_id(facts, variant_of(facts.get("base_model")), known_base_only=True)
    listed = entry(found) if found else None
    return listed["repo_id"] if listed else found or None


def summary(family: str | None = None) -> list[dict[str, Any]]:
    """One row per catalogued repo (in catalog order), optionally of one family."""
    rows = []
    for repo_id in repo_ids():
        facts = _entries()[repo_id.lower()]["facts"]
        value = {name: (facts.get(name) or {}).get("value") for name in SUMMARY_FIELDS}
        if family is None or str(value["family"]).lower() == family.lower():
            rows.append({"repo_id": repo_id, **value})
    return rows


SUMMARY_FIELDS = ("family", "variant", "params_b", "context_length", "license", "gated")


def families() -> list[str]:
    return sorted({str(row["family"]) for row in summary() if row["family"]})
