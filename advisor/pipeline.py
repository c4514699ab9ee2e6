"""The one path every entry point takes: spec (+ data file) -> model facts -> recommendation."""

from __future__ import annotations

from advisor.candidates import default_candidates
from advisor.context import effective_spec
from advisor.decide import read_task, recommend
from advisor.engine.loader import Rule, load_rules
from advisor.facts import DatasetProfile
from advisor.recommendation import Recommendation
from advisor.sources.catalog import summary
from advisor.sources.resolve import fetch_models
from advisor.spec import TaskSpec
from advisor.understand import Understanding


def candidate_ids(spec: TaskSpec) -> list[str]:
    """The user's candidates (resolve adds each one's sibling), or the default set."""
    return spec.models.candidates or default_candidates(spec)


def read_candidates(spec: TaskSpec, understanding: Understanding) -> list[str] | None:
    """Models the description names (a family becomes the repos the default set picks)."""
    if spec.models.candidates:
        return None
    read = understanding.facts.get("models.candidates")
    if not read:
        return None
    plain = effective_spec(spec, understanding)
    out: list[str] = []
    for item in read["value"]:
        family = (item.split(":", 1)[1],) if item.startswith("family:") else None
        # A family the user names is compared even when none of its sizes fits the GPU or the
        # size limit (Mistral-Nemo is 12.2B; the default class is 8.5B): the memory and size
        # checks then say so, rather than another family silently taking its place.
        picked = (
            (
                default_candidates(plain, family)
                or default_candidates(plain, family, fit_gpu=False)
                or default_candidates(
                    plain, family, max_params_b=_smallest_b(family[0]), fit_gpu=False
                )
            )
            if family
            else [item]
        )
        out += [repo for repo in picked if repo not in out]
    return out or None


def _smallest_b(family: str) -> float | None:
    """The smallest catalogued size of a family, in billions (None: no size known)."""
    sizes = [row["params_b"] for row in summary(family) if row["params_b"] is not None]
    return min(sizes) if sizes else None


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
    understanding = read_task(spec)
    named = read_candidates(spec, understanding)
    if named:
        understanding.facts["models.candidates"]["value"] = named
    used = effective_spec(spec, understanding, candidates=named)
    models = fetch_models(candidate_ids(used), source=source, offline=offline, refresh=refresh)
    return recommend(spec, rules, models, dataset, understanding=understanding)
