"""Turn a spec, what its text says, a dataset profile and model facts into named facts."""

from __future__ import annotations

from typing import Any

from advisor.facts import DatasetProfile, ModelFacts
from advisor.languages import language_coverage
from advisor.spec import TaskSpec
from advisor.understand import Understanding

# The spec fields a user states, in the order reports list them. Each ends up given (the spec
# or a flag said it), measured (--data), inferred (read from the description, with the words),
# default (a documented default, e.g. LoRA) or not asked (absent: unknown, never False).
USER_FIELDS = (
    "data.format",
    "data.examples",
    "data.max_tokens",
    "training.own_alignment",
    "training.custom_chat_format",
    "training.method",
    "training.gpu_memory_gb",
    "training.gpus",
    "constraints.commercial_use",
    "constraints.licenses",
    "constraints.max_params",
    "constraints.min_context",
    "constraints.languages",
    "models.candidates",
)
_MEASURED = {"data.format": "format", "data.examples": "rows", "data.max_tokens": "max_tokens"}


def _spec_value(spec: TaskSpec, name: str) -> tuple[Any, bool]:
    section, field = name.split(".")
    part = getattr(spec, section)
    return getattr(part, field), field in part.model_fields_set


def user_facts(
    given: TaskSpec, understanding: Understanding, dataset: DatasetProfile | None = None
) -> dict[str, dict[str, Any]]:
    """Every user-side fact with its origin: given | measured | inferred | default | not asked."""
    out: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys((*USER_FIELDS, *training_facts(given))):
        value, explicit = _spec_value(given, name)
        measured = (
            getattr(dataset, _MEASURED[name], None) if dataset and name in _MEASURED else None
        )
        read = understanding.facts.get(name)
        if explicit and value is not None:
            out[name] = {"value": value, "origin": "given"}
        elif measured is not None:
            out[name] = {"value": measured, "origin": "measured", "from": dataset.path}  # type: ignore[union-attr]
        elif read is not None:
            out[name] = {"value": read["value"], "origin": "inferred", "from": read["from"]}
        elif name not in USER_FIELDS:
            # The memory estimate's own settings (rank, micro-batch, optimizer ...) are listed
            # only when said, so a user sees what was read from their words ("LoRA rank 64").
            continue
        elif value is not None:
            out[name] = {"value": value, "origin": "default"}
        else:
            out[name] = {"value": None, "origin": "not asked"}
    for name in ("kind", "domains", "style"):
        key, value = f"task.{name}", getattr(understanding, name)
        if getattr(given.task, name) is not None:
            out[key] = {"value": value, "origin": "given"}
        elif value:
            words = (
                [understanding.kind_from or ""]
                if name == "kind"
                else [e["matched"] for e in understanding.evidence if name in e.get("sets", ())]
            )
            out[key] = {
                "value": value,
                "origin": "inferred",
                "from": "; ".join(dict.fromkeys(words)),
            }
        elif name == "kind":
            out[key] = {"value": None, "origin": "not asked"}
        else:  # the description was read and names none
            out[key] = {"value": [], "origin": "inferred", "from": None}
    return out


def effective_spec(
    given: TaskSpec, understanding: Understanding, candidates: list[str] | None = None
) -> TaskSpec:
    """The spec as used: the given values, with what the description says where it is silent."""
    update: dict[str, dict[str, Any]] = {}
    for name, read in understanding.facts.items():
        section, field = name.split(".")
        value, explicit = _spec_value(given, name)
        if explicit and value is not None:
            continue
        if name == "models.candidates":
            if candidates is None:
                continue
            read = {"value": candidates}
        update.setdefault(section, getattr(given, section).model_dump(exclude_unset=True))
        update[section][field] = read["value"]
    if not update:
        return given
    try:
        return TaskSpec.model_validate({**given.model_dump(exclude_unset=True), **update})
    except ValueError:
        return given  # a read value the spec refuses is left out, never half-applied


def training_facts(spec: TaskSpec) -> dict[str, Any]:
    """training.* as named facts (the memory estimate's settings among them); the two alignment
    answers are user facts, which a description may also state."""
    training = spec.training
    return {
        f"training.{name}": getattr(training, name)
        for name in type(training).model_fields
        if name not in ("own_alignment", "custom_chat_format")
    }


def task_context(
    spec: TaskSpec,
    understanding: Understanding,
    dataset: DatasetProfile | None = None,
    facts: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """task.*, data.*, training.*, constraints.* — the user's explicit values win over a dataset."""
    facts = facts if facts is not None else user_facts(spec, understanding, dataset)
    value = {name: f["value"] for name, f in facts.items()}
    languages = value.get("constraints.languages")
    max_params = value.get("constraints.max_params")
    ctx: dict[str, Any] = {
        "task.description": spec.task.description,
        "task.kind": understanding.kind,
        "task.kind_inferred": understanding.kind_source == "inferred",
        "task.signals": list(understanding.signals),
        "task.domains": list(understanding.domains),
        "task.style": list(understanding.style),
        **{
            name: value[name]
            for name in USER_FIELDS
            if name not in ("constraints.max_params", "models.candidates")
        },
        "constraints.max_params_b": max_params / 1e9 if max_params else None,
        **training_facts(spec),
        "constraints.non_english": (
            any(lang.split("-")[0] != "en" for lang in languages) if languages else None
        ),
    }
    if facts.get("data.max_tokens", {}).get("origin") == "measured" and dataset is not None:
        ctx["data.max_tokens_from"] = (
            f"the longest example {dataset.path} shows (100th percentile, {dataset.token_method})"
        )
    return {key: v for key, v in ctx.items() if v is not None}


# Facts the user supplies: when one is absent, a fit check that needs it does not apply (the
# user did not ask), which is different from a model fact nobody could verify.
USER_SIDE_PREFIXES = ("task.", "data.", "training.", "constraints.", "decision.")


def data_disagreements(spec: TaskSpec, dataset: DatasetProfile | None) -> list[str]:
    """Where the spec's explicit data values differ from what the training file shows."""
    if dataset is None:
        return []
    notes = []
    for name, attr in _MEASURED.items():
        given, measured = _spec_value(spec, name)[0], getattr(dataset, attr)
        if given is not None and measured is not None and given != measured:
            notes.append(
                f"{name}: the spec says {given}, {dataset.path} shows {measured}; "
                "using the spec's value"
            )
    return notes


def candidate_context(
    task: dict[str, Any],
    facts: ModelFacts,
    candidate_ids: set[str],
    sibling: str | None,
    memory: Any = None,
) -> tuple[dict[str, Any], set[str]]:
    """The task facts plus model.* and fit.* for one candidate, and the facts not asked for.

    memory: the candidate's estimate for the chosen method (recommendation.MethodMemory), or None.
    """
    ctx = {**task, **facts.as_context()}
    not_asked: set[str] = set()
    needs = [task.get("data.max_tokens"), task.get("constraints.min_context")]
    needs = [n for n in needs if n is not None]
    if needs:
        ctx["fit.required_context"] = max(needs)
    else:
        not_asked.add("fit.required_context")
    params = facts.get("params_b")
    limit = task.get("constraints.max_params_b")
    if params is not None and limit:
        ctx["fit.params_ratio"] = params / limit
    elif not limit:
        not_asked.add("fit.params_ratio")
    if memory is not None:
        ctx["fit.memory_needed_gb"] = memory.need_gb
        ctx["fit.memory_formula"] = memory.formula
        budget = task.get("training.gpu_memory_gb")
        # A lower bound (dimensions unknown) under the budget decides nothing: left unknown.
        if budget and not (memory.partial and memory.need_gb <= budget):
            ctx["fit.memory_ratio"] = memory.need_gb / budget
        if memory.fix:
            ctx["fit.memory_fix"] = memory.fix
        if memory.largest_seq_len:
            ctx["fit.memory_largest_seq_len"] = memory.largest_seq_len
    if not task.get("training.gpu_memory_gb"):
        not_asked.add("fit.memory_ratio")
    wanted = task.get("constraints.languages")
    if not wanted:
        not_asked.update(("fit.languages_missing", "fit.languages_missing_count"))
    coverage = language_coverage(wanted, facts) if wanted else None
    if coverage is not None:
        missing, covered = coverage
        ctx["fit.languages_missing"] = missing
        ctx["fit.languages_missing_count"] = len(missing)
        ctx["fit.languages_covered"] = covered
    if facts.get("variant") in ("base", "instruct"):
        ctx["fit.sibling_in_candidates"] = sibling is not None and sibling in candidate_ids
    return ctx, not_asked


# What a user would have to give for a derived fact to exist (said in "not checked" messages).
ASKED_AS = {
    "fit.params_ratio": "constraints.max_params",
    "constraints.max_params_b": "constraints.max_params",
    "fit.memory_ratio": "training.gpu_memory_gb",
    "fit.required_context": "data.max_tokens or constraints.min_context",
    "fit.languages_missing": "constraints.languages",
    "fit.languages_missing_count": "constraints.languages",
    "constraints.non_english": "constraints.languages",
}


def is_user_side(fact: str, not_asked: set[str]) -> bool:
    return fact.startswith(USER_SIDE_PREFIXES) or fact in not_asked
