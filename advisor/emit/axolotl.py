"""Axolotl: its YAML config."""

from __future__ import annotations

from advisor.emit.common import (
    YamlLines,
    accumulation,
    data_shape,
    header,
    method,
    set_deepspeed,
    setting,
    sharding_limit,
    special_tokens,
)
from advisor.emit.plan import Plan
from advisor.emit.rules import chat_formats, deepspeed_files


def emit(plan: Plan) -> tuple[str, list[str]]:
    limits: list[str] = []
    run = ["axolotl train config.yml", "(or: accelerate launch -m axolotl.cli.train config.yml)"]
    if plan.value("sharding") == "fsdp":
        how = (
            "add fsdp_version: 2 and an fsdp_config (Axolotl's multi-GPU guide), or use "
            f"deepspeed: {deepspeed_files()['axolotl']['zero3']} (ZeRO-3 shards the same states)"
        )
        limits.append(sharding_limit(plan, "Axolotl", how) or "")
    doc = YamlLines(header(plan, "Axolotl", run, "axolotl", limits=limits))
    set_deepspeed(doc, plan, "axolotl", "Axolotl", ": axolotl fetch deepspeed_configs")
    c = plan.choices
    doc.set("base_model", plan.repo, "the repo the verdict picked")
    kind = method(plan)
    if kind != "full":
        doc.set("adapter", kind, f"your spec's method: {kind}")
        if kind == "qlora":
            doc.set("load_in_4bit", True, "QLoRA: frozen weights in 4-bit")
        doc.set("lora_r", c["lora_rank"].value, c["lora_rank"].comment())
        doc.set("lora_alpha", 2 * c["lora_rank"].value, "alpha = 2 x rank")
        doc.set("lora_dropout", 0.05)
        if c["lora_targets"].value == "all-linear":
            doc.set("lora_target_linear", True, c["lora_targets"].comment())
        else:
            doc.set("lora_target_modules", c["lora_targets"].value, c["lora_targets"].comment())
        why = plan.whole_embeddings_why(
            "Axolotl takes token ids, not strings, for peft_trainable_token_indices; without "
            "known ids the rows are trained through whole embed_tokens / lm_head",
        )
        if why:
            doc.set("lora_modules_to_save", ["embed_tokens", "lm_head"], why)
    doc.blank()
    template = c["template"].value
    if template == "model":
        doc.set("chat_template", "tokenizer_default", c["template"].comment())
    elif template == "explicit":
        if name := plan.fact("fmt.axolotl"):
            doc.set("chat_template", name, c["chat_format"].comment())
        else:
            doc.note(
                "WARNING: Axolotl has no chat_template for this format: write chat_template_jinja"
            )
            limits.append("Axolotl: no chat_template choice for this format")
    if c["thinking"].value == "strip":
        doc.set("chat_template_kwargs", {"enable_thinking": False}, c["thinking"].comment())
    elif c["thinking"].value == "keep":
        doc.note(c["thinking"].comment())
    if template != "none":
        doc.note(chat_formats()["bos_handling"]["axolotl"])
    doc.open("datasets", f"your training file: {data_shape(plan)}")
    doc.set("- path", "train.jsonl", indent="  ")
    doc.set("ds_type", "json", indent="    ")
    if c["objective"].value == "chat":
        doc.set("type", "chat_template", indent="    ")
        doc.set("field_messages", "messages", indent="    ")
        doc.set("roles_to_train", ["assistant"], c["loss_mask"].comment(), indent="    ")
        why = "train the end-of-turn token of every trained turn, so the model learns to stop"
        doc.set("train_on_eos", "turn", why, indent="    ")
    else:
        doc.set("type", "completion", c["objective"].comment(), indent="    ")
        doc.set("field", "text", indent="    ")
    doc.blank()
    pairs = (("eos_token", "eos"), ("pad_token", "pad"))
    if tokens := {key: c[name] for key, name in pairs if c[name].known}:
        doc.open("special_tokens", "; ".join(x.comment() for x in tokens.values()))
        for key, choice in tokens.items():
            doc.set(key, choice.value, indent="  ")
    if c["new_tokens"].value == "add":
        doc.set("tokens", special_tokens(plan), c["new_tokens"].comment())
    doc.blank()
    doc.set("sequence_len", c["max_length"].value, c["max_length"].comment())
    doc.set("sample_packing", c["packing"].value, c["packing"].comment())
    if c["packing"].value:
        doc.set("pad_to_sequence_len", True, "packed batches are filled to sequence_len")
    doc.set(*setting("gradient_checkpointing", c["gradient_checkpointing"]))
    doc.set("micro_batch_size", c["batch_size"].value, c["batch_size"].comment())
    doc.set("gradient_accumulation_steps", *accumulation(plan))
    doc.set("learning_rate", c["learning_rate"].value, c["learning_rate"].comment())
    doc.set("num_epochs", 1, "one pass to start: check the eval loss before more")
    doc.set("bf16", "auto", "bf16 where the GPU supports it, as the memory estimate assumes")
    doc.set("output_dir", "./outputs")
    return doc.text(), limits
