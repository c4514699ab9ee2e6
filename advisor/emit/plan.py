"""From a Recommendation to a training plan: the one adapter between the advisor's objects and
the config emitters, then every config decision run from the rules.

`plan_facts` is the only place that reads the Recommendation, the spec and the model's facts;
the emitters read only the Plan. Unknown facts stay out of the fact dict (the rules see them as
unknown) and the emitters say so in a comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor import __version__
from advisor.emit.rules import Choice, chat_formats, config_rules, decide, template_hashes
from advisor.facts import ModelFacts
from advisor.memory.settings import DEFAULT_SEQ_LEN, parse_targets


@dataclass
class Plan:
    """Everything an emitter writes, each setting with the rule that chose it."""

    repo: str
    choices: dict[str, Choice]
    facts: dict[str, Any]
    header: list[str]
    warnings: list[str] = field(default_factory=list)

    def value(self, name: str) -> Any:
        return self.choices[name].value

    def why(self, name: str) -> str:
        return self.choices[name].comment()

    def fact(self, name: str) -> Any:
        return self.facts.get(name)

    def whole_embeddings_why(self, no_token_rows: str) -> str | None:
        """Why embed_tokens / lm_head train whole, or None when no embedding rows train. A
        framework without per-token rows says so (`no_token_rows`) when the rules chose them."""
        choice = self.choices["embeddings"]
        if choice.value == "none":
            return None
        if choice.value == "token_indices":
            return f"{no_token_rows}; {choice.comment()}"
        return choice.comment()


def _model_format(facts: ModelFacts) -> str | None:
    formats = chat_formats()
    family = facts.get("family")
    if family in formats["by_family"]:
        return formats["by_family"][family]
    return formats["by_template_family"].get(facts.get("chat_template_family"))


def _trl_training_template(repo: str) -> str | None:
    """The TRL template whose original is byte-identical to this repo's template, if known."""
    from advisor.emit.fields import framework_data

    known = template_hashes().get(repo)
    if not known:
        return None
    templates = framework_data("trl")["training_templates"]["templates"]
    return next((n for n, e in templates.items() if e["original_sha256"] == known["sha256"]), None)


def plan_facts(rec: Any, model: ModelFacts) -> dict[str, Any]:
    """The adapter: the flat facts the config rules read, from the recommendation and one model."""
    from advisor.context import task_context

    # task.*, data.*, constraints.* and training.* (the spec's memory settings among them)
    facts: dict[str, Any] = dict(task_context(rec.spec, rec.understanding, rec.dataset))
    facts["task.fim"] = "fill-in-the-middle" in facts.get("task.signals", [])
    targets = facts.get("training.lora_targets")
    if isinstance(targets, str):
        # 'all-linear' stays the word; the spec's shorthand (attention, mlp, q,v ...) becomes
        # module names, read the way the memory model reads it
        named = targets.strip().lower() != "all-linear"
        facts["training.lora_targets"] = list(parse_targets(targets)) if named else "all-linear"
    # The model's facts as model.*; absent ones stay unknown to the rules.
    facts.update({name: v for name, v in model.as_context().items() if v is not None})
    if model_format := _model_format(model):
        facts["model.format"] = model_format
    if trl_template := _trl_training_template(model.repo_id):
        facts["trl.training_template"] = trl_template
    if pad := chat_formats()["pad_tokens"].get(model.get("family")):
        facts["family.pad_token"] = pad["token"]
        facts["family.pad_source"] = pad["source"]
    _length_facts(facts, rec)
    return facts


def _length_facts(facts: dict[str, Any], rec: Any) -> None:
    measured = rec.dataset.max_tokens if rec.dataset is not None else None
    declared = rec.spec.data.max_tokens
    if declared is not None:
        length, source = declared, "spec data.max_tokens"
    elif measured is not None:
        length, source = measured, f"measured in {rec.dataset.path}, {rec.dataset.token_method}"
    else:
        # Nothing says how long the examples are: the config is written at the length the
        # memory estimate counted, so the figure it prints is the run's (each framework's own
        # default differs, and a longer one would need more memory than the header says).
        facts["data.length_assumed"] = DEFAULT_SEQ_LEN
        return
    context = facts.get("model.context_length")
    if context is not None and length > context:
        length, source = context, f"{source}, capped at the model's context {context}"
    facts["data.length"] = length
    facts["data.length_source"] = source


def _format_facts(facts: dict[str, Any]) -> None:
    entry = chat_formats()["formats"].get(facts.get("decision.chat_format"))
    if not entry:
        return
    facts["fmt.eot"] = entry.get("eot")
    facts["fmt.thinking"] = entry.get("thinking")
    markers = entry.get("markers") or {}
    for key, name in (("instruction", "instruction_marker"), ("response", "response_marker")):
        if markers.get(key):
            facts[f"fmt.{name}"] = markers[key]
    for framework in ("axolotl", "llamafactory", "llamafactory_nothink", "unsloth"):
        if entry.get(framework):
            facts[f"fmt.{framework}"] = entry[framework]
    facts["fmt.special_tokens"] = entry.get("special_tokens") or []
    if (family := facts.get("model.family")) is not None:
        # The family's tokenizer has every special token of each format listing the family:
        # plain ChatML's two tokens are in a Qwen2.5 tokenizer because qwen2_5 lists Qwen2.5.
        present: set[str] = set()
        for other in chat_formats()["formats"].values():
            if family in other.get("families", []):
                present.update(other.get("special_tokens") or [])
        wanted = set(entry.get("special_tokens") or [])
        facts["fmt.tokens_in_vocab"] = (
            family in entry.get("families", [])
            or bool(wanted and wanted <= present)
            or facts.get("model.format") == facts["decision.chat_format"]
        )


def build_plan(rec: Any, model: ModelFacts, spec_name: str) -> Plan:
    facts = plan_facts(rec, model)
    choices: dict[str, Choice] = {}
    # In the file's order, so each decision reads those before it (decision.<name> facts);
    # the later ones also read the chosen chat format's facts (fmt.*).
    for name in config_rules():
        choices[name] = decide(name, facts)
        if name == "chat_format":
            _format_facts(facts)
            facts = {key: v for key, v in facts.items() if v is not None}
    # The config trains embed_tokens and lm_head in full for new tokens: the memory figure has
    # to count them (for a 7-8B model with a 100k+ vocabulary, 10+ GB beyond the adapters).
    saved = ("embed_tokens", "lm_head") if choices["embeddings"].value == "modules_to_save" else ()
    memory = _memory(rec, model, rec.spec.training.method, saved)
    plan = Plan(model.repo_id, choices, facts, _header(rec, model, spec_name, memory, saved))
    plan.warnings = _warnings(plan)
    variant = model.get("variant")
    if model.repo_id != rec.repo and variant in ("base", "instruct") and variant != rec.variant:
        plan.warnings.append(
            f"{model.repo_id} is the {variant} variant, but the verdict is {rec.variant}"
        )
    if memory is not None and memory.fits_gpu is False:
        plan.warnings.append(
            f"the memory estimate ({memory.need_gb:g} GB) does not fit your "
            f"{rec.spec.training.gpu_memory_gb:g} GB GPU: "
            + (memory.fix or "see `advisor recommend` for the fixes")
        )
    return plan


def _header(
    rec: Any, model: ModelFacts, spec_name: str, memory: Any, saved: tuple[str, ...]
) -> list[str]:
    verdict = f"{rec.variant} (confidence {rec.confidence}"
    verdict += ", close call: fine-tune both and compare)" if rec.close_call else ")"
    picked = "recommended repo" if model.repo_id == rec.repo else "repo chosen with --repo"
    lines = [
        f"Written by advisor {__version__} (advisor config): a starting point, read every comment.",
        f"Spec: {spec_name} — {_one_line(rec.spec.task.description)}",
        f"Verdict: {verdict}; {picked}: {model.repo_id}",
    ]
    if rec.exceptions:
        lines.append("Exceptions that chose base: " + ", ".join(rec.exceptions))
    method = rec.spec.training.method
    if saved:
        method += f", {' and '.join(saved)} trained in full"
    if memory is None:
        lines.append(f"Memory ({method}): unknown (parameter count not known)")
    else:
        gpu = rec.spec.training.gpu_memory_gb
        if memory.fits_gpu is None:
            fit = " — no GPU size given"
        else:
            fit = f" — {'fits' if memory.fits_gpu else 'does NOT fit'} your {gpu:g} GB GPU"
        lines.append(f"Memory ({method}): {memory.formula}{fit}")
    return lines


def _memory(rec: Any, model: ModelFacts, method: str, saved: tuple[str, ...]) -> Any:
    """The recommendation's own memory figure for this repo (one estimate, shared with the
    report); a --repo outside the candidates, or a config that trains whole matrices the
    recommendation did not count (`saved`), gets the same estimate computed here."""
    candidate = next((c for c in rec.candidates if c.facts is model), None)
    if candidate is not None and not saved:
        return (candidate.memory or {}).get(method)
    from advisor.context import task_context
    from advisor.decide import candidate_memory

    task = dict(task_context(rec.spec, rec.understanding, rec.dataset))
    if saved:
        task["training.modules_to_save"] = saved
    return (candidate_memory(model, task) or {}).get(method)


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 90 else flat[:87] + "..."


def _warnings(plan: Plan) -> list[str]:
    """Settings the rules could not decide: each becomes a comment in the config and a warning."""
    notes = {
        "template": "the chat template could not be chosen (variant unknown)",
        "chat_format": "no known chat format for this family: write the template yourself",
        "eos": "EOS unknown: check tokenizer_config.json (every turn / document ends with it)",
        "pad": "no pad token known that differs from EOS: add one, or EOS is masked",
        "new_tokens": "unknown whether the format's tokens are in the tokenizer",
    }
    found = [
        notes[name]
        for name in notes
        if plan.choices[name].value == "unknown"
        # an instruct model trains with its tokenizer's own template, known or not
        and not (name == "chat_format" and plan.value("template") == "model")
    ]
    if plan.choices["max_length"].rule == "length-assumed":
        found.append(
            f"longest example unknown: sequence length {plan.value('max_length'):,} written (what "
            "the memory estimate counts); set data.max_tokens or pass --data, or longer examples "
            "are truncated"
        )
    if plan.value("tied_caveat") == "warn":
        found.append("tied embeddings: training embed_tokens/lm_head can break the tie (peft#2777)")
    return found
