"""Base or instruct, from evidence: applies knowledge/variant_evidence.yaml, decides nothing else.

Each rule that matches casts its weight with a sentence a person can check; the verdict is the
side with more weight and the confidence says how clear it was (thresholds in the YAML).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from advisor import packaged, regexcache
from advisor.facts import SOURCE_DERIVED, ModelFacts
from advisor.facts.derive import TEMPLATE_END_OF_TURN
from advisor.yamlcache import load_packaged

_PLACEHOLDER = regexcache.compile(r"\{([a-z_]+)\}")


@lru_cache(maxsize=1)
def knowledge() -> dict[str, Any]:
    """The evidence file as loaded: rules (id, group, verdict, weight, when, says, cases),
    the confidence thresholds, the relation words and the packaging-marker pattern."""
    data = load_packaged(packaged.folder("advisor.knowledge") / "variant_evidence.yaml").data
    return {**data, "packaging": regexcache.compile(data["packaging"], re.IGNORECASE)}


def _holds(test: Any, value: Any, found: dict[str, str]) -> bool:
    if isinstance(test, dict) and "matches" in test:
        match = re.search(test["matches"], value, re.IGNORECASE) if isinstance(value, str) else None
        if match and match.groups():
            found["match"] = match.group(1)
        return match is not None
    if isinstance(test, dict) and "in" in test:
        return value in test["in"]
    if isinstance(test, dict) and "not" in test:
        return value != test["not"]
    return value == test


def matches(rule: dict[str, Any], seen: dict[str, Any]) -> dict[str, str] | None:
    """The rule's filled-in sentence parts when every condition holds, else None."""
    found: dict[str, str] = {}
    holds = all(_holds(test, seen.get(name), found) for name, test in rule["when"].items())
    return found if holds else None


def name_verdict(repo_id: str) -> str | None:
    """The variant the name alone implies, or None."""
    seen = _name_observations(repo_id)
    names = (r for r in knowledge()["rules"] if r.get("group") == "name")
    rule = next((r for r in names if matches(r, seen) is not None), None)
    return rule["verdict"] if rule else None


def _name_observations(repo_id: str) -> dict[str, Any]:
    org, _, name = repo_id.rpartition("/")
    return {"name": name, "stem": knowledge()["packaging"].sub("", name), "org": org.lower()}


def observations(
    facts: ModelFacts,
    *,
    tags: Iterable[str] = (),
    base_relation: str | None = None,
    base_variant: str | None = None,
    relation_checked: bool = False,
    special_token_ids: dict[str, int] | None = None,
    card_base_model_relation: str | None = None,
) -> dict[str, Any]:
    """What the rules look at, from the facts and the signals a provider saw."""
    base_relation = base_relation or card_base_model_relation
    k = knowledge()
    seen = _name_observations(facts.repo_id)
    parent = facts.get("base_model")
    if isinstance(parent, str):
        seen["parent"] = parent
        seen["parent_variant"] = base_variant or name_verdict(parent)
    seen["relation"] = base_relation or "none"
    seen["how"] = k["how"].get(base_relation or "", k["how"]["default"])
    seen["relation_checked"] = relation_checked
    seen["tags"] = ",".join(str(t).lower() for t in tags)
    seen["template"] = facts.get("chat_template_present")
    family = facts.get("chat_template_family")
    eot = TEMPLATE_END_OF_TURN.get(family) if isinstance(family, str) else None
    eos, config_eos = facts.get("eos_token"), facts.get("eos_token_id")
    seen.update(template_family=family, eot=eot, eos=eos)
    pad = facts.get("pad_token")
    pad_is_eos = facts.get("pad_equals_eos")
    if pad_is_eos is None and isinstance(pad, str) and isinstance(eos, str):
        pad_is_eos = pad == eos  # before derive.complete has run (a provider classifies first)
    seen["pad_is_eos"] = pad_is_eos
    ids = special_token_ids
    if eot is None or eot == "eos" or not isinstance(eos, str):
        seen["turn_end"] = "unknown"
    elif eot == eos:
        seen["turn_end"] = "is-eos"
    elif ids and eot in ids and isinstance(config_eos, list) and ids[eot] in config_eos:
        seen["turn_end"] = "in-config-eos"
    elif isinstance(config_eos, list) and len(config_eos) > 1 and not ids:
        seen["turn_end"] = "several-stop-ids"
    else:
        seen["turn_end"] = "other"
    return seen


def _fill(template: str, values: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1))), template)


def classify(facts: ModelFacts, **signals: Any) -> ModelFacts:
    """Set facts.variant, variant_evidence and variant_confidence from every rule that matches.

    signals (see observations): tags, base_relation (finetune, quantized, adapter, merge),
    base_variant (of facts.base_model, when known), relation_checked (the Hub was asked and
    named no parent), special_token_ids, card_base_model_relation (the model card's
    base_model_relation, used when the Hub API names none).
    """
    k = knowledge()
    seen = observations(facts, **signals)
    weight = {"base": 0, "instruct": 0}
    evidence, groups = [], set()
    for rule in k["rules"]:
        group = rule.get("group")
        found = None if group in groups else matches(rule, seen)
        if found is None:
            continue
        if group:
            groups.add(group)
        says = _fill(rule["says"], {**seen, **found})
        evidence.append(f"{rule['verdict']} (+{rule['weight']}): {says}")
        weight[rule["verdict"]] += rule["weight"]
    facts.variant_evidence = evidence
    winner = max(weight, key=lambda side: weight[side])
    won, lost = weight[winner], weight["base" if winner == "instruct" else "instruct"]
    if won == lost:
        facts.variant_confidence = "unknown"
        split = "no evidence" if not evidence else f"evidence is split ({won} vs {lost})"
        facts.set("variant", "unknown", SOURCE_DERIVED, split)
        return facts
    high = won >= k["high_weight"] and lost == 0
    confidence = "high" if high else "medium" if won - lost >= k["medium_margin"] else "low"
    facts.variant_confidence = confidence
    why = f"{won} vs {lost} by weight of evidence ({confidence} confidence)"
    facts.set("variant", winner, SOURCE_DERIVED, why)
    return facts


def strip_base_suffix(name: str) -> str:
    """A repo name without the base suffix the base-suffix rule reads (-Base, -pt)."""
    rule = next(r for r in knowledge()["rules"] if r["id"] == "base-suffix")
    return re.sub(rule["when"]["stem"]["matches"], "", name, flags=re.IGNORECASE)
