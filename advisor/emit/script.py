"""Python training scripts (TRL and Unsloth share TRL's SFTConfig / SFTTrainer): calls written
keyword by keyword, each under the comment that explains it."""

from __future__ import annotations

from typing import Any

from advisor.emit.common import Lines, accumulation, data_shape, setting
from advisor.emit.plan import Plan


class Code(str):
    """A Python expression written verbatim (a name or a call), not as a literal."""

    __repr__ = str.__str__


Arg = tuple[str, Any, "str | None"]


class PyLines(Lines):
    def add(self, *lines: str) -> None:
        self.lines += lines

    def call(self, target: str, name: str, args: list[Arg]) -> None:
        self.lines.append(f"{target}{name}(")
        for key, value, why in args:
            if why:
                self.note(why, "    ")
            self.lines.append(f"    {key}={value!r},")
        self.lines.append(")")


def dataset_lines(py: PyLines, plan: Plan, *, unsloth: bool) -> None:
    """Load the training file and shape it for the loss the rules chose."""
    py.add("", f"DATA = {'train.jsonl'!r}")
    py.note(f"Your training file: {data_shape(plan)}")
    py.add('dataset = load_dataset("json", data_files=DATA, split="train")')
    if plan.value("thinking") in ("strip", "keep"):
        py.add("")
        py.note(plan.why("thinking"))
    if plan.value("thinking") == "strip":
        py.add(
            'dataset = dataset.map(lambda example: {"chat_template_kwargs": '
            '{"enable_thinking": False}})'
        )
    if plan.value("trl_loss") == "prompt_completion" and not (
        unsloth and plan.value("unsloth_loss") == "responses_only"
    ):
        py.add("")
        py.note(plan.why("trl_loss"))
        py.add(
            "def to_prompt_completion(example):",
            '    messages = example["messages"]',
            '    return {"prompt": messages[:-1], "completion": messages[-1:]}',
            "",
            'dataset = dataset.map(to_prompt_completion, remove_columns=["messages"])',
        )


def sft_args(plan: Plan, *, unsloth: bool) -> list[Arg]:
    """SFTConfig keyword arguments, shared by the TRL and the Unsloth script."""
    choices = plan.choices
    args: list[Arg] = [("output_dir", "outputs", None)]
    args.append(setting("max_length", choices["max_length"]))
    if plan.value("objective") != "chat":
        args.append(("dataset_text_field", "text", plan.why("objective")))
    args.append(setting("packing", choices["packing"]))
    # Unsloth masks by turn markers when they are known; otherwise both scripts use TRL's mask.
    responses_only = unsloth and plan.value("unsloth_loss") == "responses_only"
    trl_loss = plan.value("trl_loss")
    if trl_loss == "assistant_only" and not responses_only:
        args.append(("assistant_only_loss", True, plan.why("trl_loss")))
    elif trl_loss == "prompt_completion" and not responses_only:
        why = "prompt/completion data: loss on the completion only"
        args.append(("completion_only_loss", True, why))
    if plan.value("template") == "explicit" and not unsloth:
        source, note = _template_source(plan)
        args.append(("chat_template_path", source, plan.why("chat_format") + note))
    for key, name in (("eos_token", "eos"), ("pad_token", "pad")):
        if choices[name].known:
            args.append(setting(key, choices[name]))
    args.append(setting("per_device_train_batch_size", choices["batch_size"]))
    args.append(("gradient_accumulation_steps", *accumulation(plan)))
    if not unsloth:
        args.append(setting("gradient_checkpointing", choices["gradient_checkpointing"]))
        if plan.value("sharding") == "fsdp":
            # auto_wrap: transformers wraps the model's own decoder layers (_no_split_modules)
            args.append(("fsdp", "full_shard auto_wrap", plan.why("sharding")))
    args.append(setting("learning_rate", choices["learning_rate"]))
    args.append(("num_train_epochs", 1, "one pass to start: check the eval loss before more"))
    args.append(("bf16", True, "bf16 weights and compute, as the memory estimate assumes"))
    args.append(("logging_steps", 10, None))
    return args


def trainer_args() -> list[Arg]:
    """SFTTrainer's arguments in both scripts: the names the lines before it define."""
    return [
        ("model", Code("model"), None),
        ("args", Code("args"), None),
        ("train_dataset", Code("dataset"), None),
        ("processing_class", Code("tokenizer"), None),
    ]


def _template_source(plan: Plan) -> tuple[str, str]:
    """Where the explicit chat template comes from, and how to say so."""
    sibling = plan.fact("model.instruct_sibling")
    if sibling and plan.fact("decision.chat_format") == plan.fact("model.format"):
        return sibling, " — the instruct sibling's tokenizer template (the family's own format)"
    return "chat_template.jinja", " — write your format's Jinja template to chat_template.jinja"
