"""The one path every entry point takes: spec (+ data file) -> model facts -> recommendation."""

from __future__ import annotations

from advisor.candidates import default_candidates, with_siblings
from advisor.decide import Recommendation, recommend
from advisor.engine.loader import Rule, load_rules
from advisor.facts import DatasetProfile, ModelFacts
from advisor.spec import TaskSpec


def candidate_ids(spec: TaskSpec) -> list[str]:
    named = spec.models.candidates
    return with_siblings(named) if named else default_candidates(spec)


def fetch(
    ids: list[str], *, source: str = "auto", offline: bool = False, refresh: bool = False
) -> list[ModelFacts]:
    from advisor.sources import catalog

    all_catalogued = all(catalog.entry(repo_id) is not None for repo_id in ids)
    if source == "catalog" or (source == "auto" and all_catalogued and not refresh):
        return [catalog.lookup_or_unknown(repo_id) for repo_id in ids]
    # Hub and local folders live behind one entry point, imported only when needed: the
    # catalog path must not pay for huggingface_hub's import.
    from advisor.sources.resolve import fetch_models

    return fetch_models(ids, source=source, offline=offline, refresh=refresh)


def run(
    spec: TaskSpec,
    *,
    rule_dirs: list[str] | None = None,
    dataset: DatasetProfile | None = None,
    source: str = "auto",
    offline: bool = False,
    refresh: bool = False,
    rules: list[Rule] | None = None,
) -> Recommendation:
    rules = rules if rules is not None else load_rules(rule_dirs)
    models = fetch(candidate_ids(spec), source=source, offline=offline, refresh=refresh)
    return recommend(spec, rules, models, dataset)
