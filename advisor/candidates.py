"""Which repos to compare when the user names none: a sensible default set from the catalog."""

from __future__ import annotations

from functools import lru_cache

from advisor.context import training_facts
from advisor.facts import ModelFacts
from advisor.facts.family import pair_key
from advisor.sources import catalog
from advisor.sources.resolve import fetch_one
from advisor.spec import TaskSpec

# Families offered when the user names no candidates: current general-purpose releases that
# publish both variants (Phi only an instruct one, which the report then says). Older or
# specialised lines (TinyLlama, R1 distills) are left to users who name them.
DEFAULT_FAMILIES = (
    "Qwen2.5", "Qwen3", "Llama-3.1", "Llama-3.2", "Mistral-7B-v0.3", "Gemma-2", "Gemma-3",
    "OLMo-2", "Falcon3", "SmolLM2", "Phi-3.5",
)  # fmt: skip
DEFAULT_MAX_PARAMS_B = 8.5  # the 7-8B class: the common single-GPU fine-tune
# Offered first for code tasks (code completion, fill-in-the-middle): families pretrained on
# code with FIM tokens (shared/data/code-models.yaml).
CODE_FAMILIES = ("Qwen2.5-Coder", "StarCoder2", "DeepSeek-Coder")


def is_code_task(spec: TaskSpec) -> bool:
    """Code completion / FIM, as given or as the description says (the same reading as rules)."""
    from advisor.understand import understand

    u = understand(spec.task.description, kind=spec.task.kind)
    return u.kind == "code-completion" or "fill-in-the-middle" in u.signals


def default_candidates(
    spec: TaskSpec,
    families: tuple[str, ...] | None = None,
    *,
    max_params_b: float | None = None,
    fit_gpu: bool = True,
) -> list[str]:
    """Per family, the largest catalogued model within the size limit (and the GPU, if given and
    fit_gpu); code families first for a code task; max_params_b replaces the limit (a family the
    user names is not cut to the default's)."""
    from advisor.memory.candidate import need_gb

    if families is None:
        families = (CODE_FAMILIES + DEFAULT_FAMILIES) if is_code_task(spec) else DEFAULT_FAMILIES
    if max_params_b is None:
        max_params = spec.constraints.max_params
        max_params_b = DEFAULT_MAX_PARAMS_B if max_params is None else max_params / 1e9
    budget = spec.training.gpu_memory_gb if fit_gpu else None
    method = spec.training.method
    known = {repo_id.lower(): repo_id for repo_id in catalog.repo_ids()}
    by_group: dict[tuple[str, str], list[str]] = {}
    largest: dict[tuple[str, str], tuple[float, ModelFacts]] = {}  # (family, pair) -> its largest
    for repo_id in catalog.repo_ids():
        facts = fetch_one(repo_id, source="catalog")
        family = facts.get("family")
        if family not in families:
            continue
        key = (family, pair_key(facts, known))
        by_group.setdefault(key, []).append(repo_id)
        params = facts.get("params_b")
        if params is not None and params > largest.get(key, (0.0,))[0]:
            largest[key] = (params, facts)
    chosen: dict[str, tuple[tuple[bool, float], tuple[str, str]]] = {}
    task = {**training_facts(spec), "data.max_tokens": spec.data.max_tokens}
    for key, (size, top) in largest.items():
        if not in_size_class(top, max_params_b) or (
            budget and (need_gb(top, task, method) or 0.0) > budget
        ):
            continue
        family = key[0]
        # Sizes of one family can differ in licence (Qwen2.5-3B is qwen-research, the 1.5B and
        # 7B Apache-2.0): the largest size whose licence the spec allows stands for the family;
        # only when none does is the largest shown, with the licence check that fails it.
        rank = (licence_allowed(top, spec), size)
        if family not in chosen or rank > chosen[family][0]:
            chosen[family] = (rank, key)
    out: list[str] = []
    for family in families:
        if family in chosen:
            out += sorted(by_group[chosen[family][1]], key=lambda r: ("instruct" in r.lower(), r))
    return out


@lru_cache(maxsize=8)
def _builtin_rule(rule_id: str):
    """A shipped rule, read once: the default set asks the rules rather than copy them."""
    from advisor.engine.loader import builtin_rules_dir, load_rule_file

    return load_rule_file(builtin_rules_dir() / f"{rule_id}.yaml", packaged=True)


def in_size_class(facts: ModelFacts, limit_b: float) -> bool:
    """Within the size limit as users mean it, i.e. what rules/params-over-limit.yaml does not
    fail: "up to 7B" takes in Qwen2.5-7B (7.62B, named 7B), an 8B limit Llama-3.1-8B (8.03B)."""
    from advisor.engine.evaluate import run_rule

    context = {
        **facts.as_context(),
        "constraints.max_params_b": limit_b,
        "fit.params_ratio": facts.get("params_b") / limit_b,
    }
    return run_rule(_builtin_rule("params-over-limit"), context).status != "fired"


# The fit rules that fail a candidate on its licence alone (rules/*.yaml, with their cases).
LICENCE_FAIL_RULES = ("licence-commercial-forbidden", "licence-not-allowed")


def licence_allowed(facts: ModelFacts, spec: TaskSpec) -> bool:
    """No licence rule fails this repo for the spec's commercial use and allowlist."""
    from advisor.engine.evaluate import run_rule

    constraints = {
        "constraints.commercial_use": spec.constraints.commercial_use,
        "constraints.licenses": spec.constraints.licenses,
    }
    context = {**facts.as_context(), **{k: v for k, v in constraints.items() if v is not None}}
    return all(
        run_rule(_builtin_rule(name), context).status != "fired" for name in LICENCE_FAIL_RULES
    )
