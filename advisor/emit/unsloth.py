"""Unsloth: a runnable Python script (FastLanguageModel + TRL's SFTTrainer)."""

from __future__ import annotations

from advisor.emit.common import header, method, setting, sharding_limit, special_tokens
from advisor.emit.plan import Plan
from advisor.emit.rules import chat_formats
from advisor.emit.script import Code, PyLines, dataset_lines, sft_args, trainer_args
from advisor.emit.trl import lora_args


def emit(plan: Plan) -> tuple[str, list[str]]:
    limits: list[str] = []
    if plan.value("sharding") != "none":
        how = "Unsloth's open-source release trains on one GPU: use --framework trl or axolotl"
        limits.append(sharding_limit(plan, "Unsloth", how) or f"Unsloth: {how}")
    py = PyLines(header(plan, "Unsloth", ["python train.py"], "unsloth", "trl", limits=limits))
    full = method(plan) == "full"
    gc = plan.choices["gradient_checkpointing"]
    checkpointing = ("use_gradient_checkpointing", "unsloth" if gc.value else False, gc.comment())
    loss = plan.value("unsloth_loss")
    py.add("from unsloth import FastLanguageModel  # first: Unsloth patches transformers")
    names = (["get_chat_template"] if plan.value("template") == "explicit" else []) + (
        ["train_on_responses_only"] if loss == "responses_only" else []
    )
    if names:
        py.add(f"from unsloth.chat_templates import {', '.join(names)}")
    py.add("from datasets import load_dataset", "from trl import SFTConfig, SFTTrainer")
    py.add("", f"MODEL = {plan.repo!r}", "")
    args = [("model_name", Code("MODEL"), None)]
    args.append(setting("max_seq_length", plan.choices["max_length"]))
    four_bit = "4-bit base weights only for QLoRA (your spec's method)"
    args.append(("load_in_4bit", method(plan) == "qlora", four_bit))
    if full:
        args.append(("full_finetuning", True, "your spec's method: full fine-tuning"))
        args.append(checkpointing)
    py.call("model, tokenizer = ", "FastLanguageModel.from_pretrained", args)
    py.note(chat_formats()["bos_handling"]["unsloth"])
    if plan.value("template") == "explicit":
        name = plan.fact("fmt.unsloth")
        py.add("")
        py.note(plan.why("chat_format"))
        if name:
            template = [("tokenizer", Code("tokenizer"), None), ("chat_template", name, None)]
            py.call("tokenizer = ", "get_chat_template", template)
        else:
            py.note("Unsloth has no template of this name: set tokenizer.chat_template yourself")
            limits.append("Unsloth: no registered chat template for this format")
    dataset_lines(py, plan, unsloth=True)
    if plan.value("new_tokens") == "add":
        py.add("")
        py.note(plan.why("new_tokens"))
        py.add(
            f"FORMAT_TOKENS = {special_tokens(plan)!r}",
            'tokenizer.add_special_tokens({"additional_special_tokens": FORMAT_TOKENS})',
            "model.resize_token_embeddings(len(tokenizer))",
        )
    if not full:
        dropout = (0.0, "Unsloth's fast path wants dropout 0")
        peft = [("model", Code("model"), None), *lora_args(plan, dropout), checkpointing]
        why = plan.whole_embeddings_why(
            "Unsloth's get_peft_model has no trainable_token_indices, so the format's token rows "
            "are trained through whole embed_tokens / lm_head",
        )
        if why:
            peft.append(("modules_to_save", ["embed_tokens", "lm_head"], why))
        if plan.value("tied_caveat") == "warn":
            peft.append(("ensure_weight_tying", True, plan.why("tied_caveat")))
        py.add("")
        py.call("model = ", "FastLanguageModel.get_peft_model", peft)
    py.add("")
    py.call("args = ", "SFTConfig", sft_args(plan, unsloth=True))
    py.add("")
    py.call("trainer = ", "SFTTrainer", trainer_args())
    if loss == "responses_only":
        py.add("")
        masked = [
            ("trainer", Code("trainer"), plan.why("unsloth_loss")),
            ("instruction_part", plan.fact("fmt.instruction_marker"), None),
            ("response_part", plan.fact("fmt.response_marker"), None),
        ]
        py.call("trainer = ", "train_on_responses_only", masked)
    elif loss == "unsupported":
        py.note(plan.why("unsloth_loss"))
    py.add(
        "trainer.train()",
        'model.save_pretrained("outputs")',
        'tokenizer.save_pretrained("outputs")',
    )
    return py.text(), limits
