"""TRL: a runnable Python script (SFTConfig + PEFT LoraConfig + SFTTrainer)."""

from __future__ import annotations

from advisor.emit.common import header, launch, method, setting, sharding_limit, special_tokens
from advisor.emit.plan import Plan
from advisor.emit.rules import chat_formats
from advisor.emit.script import Code, PyLines, dataset_lines, sft_args, trainer_args


def lora_args(plan: Plan, dropout: tuple[float, str | None] = (0.05, None)) -> list:
    return [
        setting("r", plan.choices["lora_rank"]),
        ("lora_alpha", 2 * plan.value("lora_rank"), "alpha = 2 x rank"),
        ("lora_dropout", *dropout),
        setting("target_modules", plan.choices["lora_targets"]),
    ]


def embedding_lines(py: PyLines, plan: Plan) -> None:
    """Token rows to train, as FORMAT_TOKENS (the adapter config uses it); none when none train."""
    if plan.value("embeddings") == "none":
        return
    py.add("")
    py.note(plan.why("new_tokens"))
    py.add(f"FORMAT_TOKENS = {special_tokens(plan)!r}")
    if plan.value("new_tokens") == "add":
        py.add('tokenizer.add_special_tokens({"additional_special_tokens": FORMAT_TOKENS})')


def emit(plan: Plan) -> tuple[str, list[str]]:
    if plan.value("sharding") == "none":
        run = ["accelerate launch train.py   (or: python train.py on one GPU)"]
    else:
        run = [launch(plan, "train.py")]
    limits: list[str] = []
    if plan.value("sharding") in ("zero2", "zero3"):  # FSDP is an SFTConfig setting (sft_args)
        how = (
            "write a DeepSpeed config for it and pass deepspeed='ds_config.json' to SFTConfig "
            "(see accelerate's DeepSpeed guide)"
        )
        limits.append(sharding_limit(plan, "TRL", how) or "")
    py = PyLines(header(plan, "TRL", run, "trl", "peft", limits=limits))
    qlora = method(plan) == "qlora"
    peft = method(plan) != "full"
    py.add("import torch", "from datasets import load_dataset")
    if peft:
        py.add("from peft import LoraConfig")
    imports = ["AutoModelForCausalLM", "AutoTokenizer"] + (["BitsAndBytesConfig"] if qlora else [])
    py.add(f"from transformers import {', '.join(imports)}")
    py.add("from trl import SFTConfig, SFTTrainer")
    py.add("", f"MODEL = {plan.repo!r}", "tokenizer = AutoTokenizer.from_pretrained(MODEL)")
    py.note(chat_formats()["bos_handling"]["trl"])
    dataset_lines(py, plan, unsloth=False)
    embedding_lines(py, plan)
    py.add("")
    keywords = "dtype=torch.bfloat16"  # bf16 weights, as the memory estimate assumes
    if qlora:
        quantization = [
            ("load_in_4bit", True, "QLoRA: frozen weights in 4-bit NF4 (your spec's method)"),
            ("bnb_4bit_quant_type", "nf4", None),
            ("bnb_4bit_compute_dtype", Code("torch.bfloat16"), None),
            ("bnb_4bit_use_double_quant", True, "quantised quantisation constants (QLoRA)"),
        ]
        if plan.value("sharding") == "fsdp":
            why = "FSDP shards 4-bit weights stored in the dtype of the rest of the model"
            quantization.append(("bnb_4bit_quant_storage", Code("torch.bfloat16"), why))
        py.call("quantization = ", "BitsAndBytesConfig", quantization)
        keywords += ", quantization_config=quantization"
    py.add(f"model = AutoModelForCausalLM.from_pretrained(MODEL, {keywords})")
    if plan.value("new_tokens") == "add":
        py.add("model.resize_token_embeddings(len(tokenizer))")
    if peft:
        args = lora_args(plan) + [("task_type", "CAUSAL_LM", None)]
        embeddings = plan.choices["embeddings"]
        if embeddings.value == "token_indices":
            ids = Code("tokenizer.convert_tokens_to_ids(FORMAT_TOKENS)")
            args.append(("trainable_token_indices", ids, embeddings.comment()))
        elif embeddings.value == "modules_to_save":
            args.append(("modules_to_save", ["embed_tokens", "lm_head"], embeddings.comment()))
        if plan.value("tied_caveat") == "warn":
            args.append(("ensure_weight_tying", True, plan.why("tied_caveat")))
        py.add("")
        py.call("peft_config = ", "LoraConfig", args)
    py.add("")
    py.call("args = ", "SFTConfig", sft_args(plan, unsloth=False))
    trainer = trainer_args()
    if peft:
        trainer.append(("peft_config", Code("peft_config"), None))
    py.add("")
    py.call("trainer = ", "SFTTrainer", trainer)
    py.add("trainer.train()", "trainer.save_model()")
    return py.text(), limits
