"""Family relations between repos: which base and instruct repos are one model's two variants.

The one place that knows how a sibling is found. It reads facts only (variant, base_model,
instruct_sibling); a provider that knows more (the catalog, the Hub's fine-tune list) states it
as those facts, so nothing here asks a provider.
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor.facts import ModelFacts


def sibling_id(facts: ModelFacts, base_variant: str | None = None) -> str | None:
    """The other variant of the same model: a base repo's instruct child, an instruct's base.

    base_variant: what is known about the variant of facts.base_model (a distill's or a
    fine-tune-of-a-fine-tune's parent is not its base sibling).
    """
    kind = facts.get("variant")
    if kind == "base":
        return facts.get("instruct_sibling")
    base = facts.get("base_model")
    if kind == "instruct" and isinstance(base, str) and base_variant == "base":
        return base
    return None


def pair_key(facts: ModelFacts, known: dict[str, str] | None = None) -> str:
    """The base repo id a base/instruct pair shares (the repo itself when it has none).

    known: candidate repo ids by lower-case id, so an instruct names its base the way the
    base's own record spells it.
    """
    if facts.get("variant") == "base":
        return facts.repo_id
    base = facts.get("base_model")
    if isinstance(base, str):
        return (known or {}).get(base.lower(), base)
    return facts.repo_id


def pairs(models: Iterable[ModelFacts]) -> dict[str, list[ModelFacts]]:
    """Candidates grouped by pair, in first-seen order."""
    models = list(models)
    known = {m.repo_id.lower(): m.repo_id for m in models}
    grouped: dict[str, list[ModelFacts]] = {}
    for facts in models:
        grouped.setdefault(pair_key(facts, known), []).append(facts)
    return grouped
