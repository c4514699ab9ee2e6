"""The named facts a rule may test, with their types. Rule files are checked against this."""

from __future__ import annotations

from typing import Any

from advisor.facts import MODEL_FIELDS
from advisor.spec import DataFormat, Domain, Method, Style, TaskKind

_TASK_SIGNALS = (
    "continued-pretraining",
    "raw-text",
    "fill-in-the-middle",
    "autocomplete",
    "text-continuation",
    "likelihood-scoring",
    "own-post-training",
    "preference-tuning",
    "own-chat-format",
    "persona",
    "no-disclaimers",
    "chat",
    "raw-volume",
    "tool-calling",
)


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


FACTS: dict[str, tuple[Any, str]] = {
    "task.description": ("str", "the task in the user's words"),
    "task.kind": (_values(TaskKind), "what kind of task (given, or inferred from the description)"),
    "task.kind_inferred": ("bool", "task.kind was inferred from free text, not given"),
    "task.signals": (_TASK_SIGNALS, "what the description says about data and training"),
    "task.domains": (_values(Domain), "sensitive domains (given, or inferred)"),
    "task.style": (_values(Style), "style needs that fight instruct habits (given, or inferred)"),
    "data.format": (_values(DataFormat), "training data format"),
    "data.examples": ("int", "number of training examples"),
    "data.max_tokens": ("int", "longest example, in tokens"),
    "training.own_alignment": (
        "bool",
        "you will run your own SFT + preference tuning (given, or read from the description)",
    ),
    "training.custom_chat_format": (
        "bool",
        "you want your own chat format / persona (given, or read from the description)",
    ),
    "training.method": (_values(Method), "full fine-tuning, LoRA or QLoRA"),
    "training.gpu_memory_gb": ("float", "GPU memory available, in GB"),
    "training.batch_size": ("int", "micro-batch per GPU (memory estimate)"),
    "training.gradient_checkpointing": ("bool", "gradient checkpointing on (memory estimate)"),
    "training.optimizer": ("str", "optimizer: adamw, adamw-8bit, paged-adamw-8bit, ..."),
    "training.lora_rank": ("int", "LoRA rank"),
    "training.lora_targets": ("str", "LoRA target modules: all-linear, attention, q,v ..."),
    "training.gpus": ("int", "number of GPUs"),
    "training.sharding": (("ddp", "zero2", "zero3", "fsdp"), "multi-GPU strategy"),
    "data.max_tokens_from": ("str", "where data.max_tokens came from (the --data file)"),
    "constraints.commercial_use": ("bool", "the model will be used commercially"),
    "constraints.licenses": ("list", "licence allowlist (Hub licence ids)"),
    "constraints.max_params_b": ("float", "largest acceptable model, in billions of parameters"),
    "constraints.min_context": ("int", "minimum context length required"),
    "constraints.languages": ("list", "languages the model must handle (ISO 639-1)"),
    "constraints.non_english": ("bool", "a language other than English is asked for"),
    # Facts computed by earlier stages of one evaluation (decision.*) or per candidate (fit.*).
    "decision.alignment_tax": (("low", "medium", "high"), "the alignment tax, from its rules"),
    "decision.exceptions": ("list", "slugs of the base exceptions that fired"),
    "decision.exception_count": ("int", "how many base exceptions fired"),
    "decision.variant": (("base", "instruct"), "the verdict (available to fit and pitfall rules)"),
    "fit.required_context": ("int", "max of data.max_tokens and constraints.min_context"),
    "fit.memory_needed_gb": ("float", "estimated GPU memory for training.method"),
    "fit.memory_ratio": ("float", "fit.memory_needed_gb / training.gpu_memory_gb"),
    "fit.memory_formula": ("str", "the memory formula with this candidate's numbers"),
    "fit.memory_fix": ("str", "what would fit when training.method does not, with its GB"),
    "fit.memory_largest_seq_len": ("int", "the longest sequence that fits the GPU"),
    "fit.params_ratio": ("float", "model.params_b / constraints.max_params_b"),
    "fit.languages_missing": ("list", "asked-for languages the card neither declares nor claims"),
    "fit.languages_missing_count": ("int", "how many asked-for languages are not covered"),
    "fit.languages_covered": ("list", "languages the card declares or claims, by name"),
    "fit.sibling_in_candidates": ("bool", "the other variant of this model is among candidates"),
    **{f"model.{name}": spec for name, spec in MODEL_FIELDS.items()},
}


def fact_type(name: str) -> Any:
    """'str' | 'int' | 'float' | 'bool' | 'list' | tuple of allowed strings (an enum)."""
    return FACTS[name][0]


def is_list_fact(name: str) -> bool:
    # Enum-typed list facts: signals, domains and style hold several of their allowed values.
    return fact_type(name) == "list" or name in ("task.signals", "task.domains", "task.style")
