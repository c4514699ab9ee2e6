"""Family relations between repos: which base and instruct repos are one model's two variants.

The one place that knows how a sibling is found. It reads facts only (variant, base_model,
instruct_sibling); a provider that knows more (the catalog, the Hub's fine-tune list) states it
as those facts, so nothing here asks a provider.
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor.facts import ModelFacts, variant


def sibling_id(
    facts: ModelFacts, parent_variant: str | None, *, known_base_only: bool = False
) -> str | None:
    """The other variant of the same model: a base repo's instruct child, an instruct's base.

    parent_variant: what is known of the variant of facts.base_model. known_base_only (the
    catalog's rule): only a parent known to be a base counts; otherwise any parent not known to
    be instruct does (a distill's or a fine-tune-of-a-fine-tune's parent is not a sibling).
    """
    kind = facts.get("variant")
    if kind == "base":
        return facts.get("instruct_sibling")
    base = facts.get("base_model")
    if not isinstance(base, str):
        return None
    if known_base_only:
        return base if parent_variant == "base" else None
    return base if kind == "instruct" and parent_variant != "instruct" else None


def pick_instruct_child(repo_id: str, children: list[str]) -> str | None:
    """The official instruct sibling of a base repo among its fine-tunes: same author only,
    preferring names that extend the base name and read as instruct."""
    author, _, name = repo_id.partition("/")
    stem = variant.strip_base_suffix(name).lower()
    # Best: extends the base name, then reads as instruct, then listed first (most downloaded).
    scored = [
        (
            child.partition("/")[2].lower().startswith(stem),
            variant.name_verdict(child) == "instruct",
            -index,
            child,
        )
        for index, child in enumerate(children)
        if isinstance(child, str)
        and child.partition("/")[0].lower() == author.lower()
        and child != repo_id
    ]
    return max(scored)[-1] if scored else None


def pair_key(facts: ModelFacts, known: dict[str, str] | None = None) -> str:
    """The base repo id a base/instruct pair shares (the repo itself when it has none).

    known: candidate repo ids by lower-case id, so an instruct names its base the way the
    base's own record spells it.
    """
    base = facts.get("base_model")
    if facts.get("variant") == "base" or not isinstance(base, str):
        return facts.repo_id
    return (known or {}).get(base.lower(), base)


def pairs(models: Iterable[ModelFacts]) -> dict[str, list[ModelFacts]]:
    """Candidates grouped by pair, in first-seen order."""
    models = list(models)
    known = {m.repo_id.lower(): m.repo_id for m in models}
    grouped: dict[str, list[ModelFacts]] = {}
    for facts in models:
        grouped.setdefault(pair_key(facts, known), []).append(facts)
    return grouped
