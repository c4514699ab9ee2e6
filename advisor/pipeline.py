"""The one path every entry point takes: spec (+ data file) -> model facts -> recommendation."""

from __future__ import annotations

from advisor.candidates import default_candidates
from advisor.decide import recommend
from advisor.engine.loader import Rule, load_rules
from advisor.facts import DatasetProfile
from advisor.recommendation import Recommendation
from advisor.sources.resolve import fetch_models
from advisor.spec import TaskSpec


def candidate_ids(spec: TaskSpec) -> list[str]:
    """The user's candidates (resolve adds each one's sibling), or the default set."""
    return spec.models.candidates or default_candidates(spec)


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
    models = fetch_models(candidate_ids(spec), source=source, offline=offline, refresh=refresh)
    return recommend(spec, rules, models, dataset)
