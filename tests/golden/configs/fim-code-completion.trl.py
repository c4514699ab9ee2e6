# TRL config for Qwen/Qwen2.5-7B
# Written by advisor <version> (advisor config): a starting point, read every comment.
# Spec: examples/fim-autocomplete.yaml — Fill-in-the-middle code autocomplete for our internal
#   Python monorepo
# Verdict: base (confidence high); recommended repo: Qwen/Qwen2.5-7B
# Exceptions that chose base: completion-task
# Memory (lora): weights 15.4 + gradients 0.2 + optimizer 0.3 + activations 0.4 + logits 3.7 +
#   overhead 1.0 = 21 GB (lora, seq 2,048, micro-batch 1) — fits your 24 GB GPU
# Checked against: trl-1.16.0, transformers-5.24.0, peft-0.21.2
#   (advisor/knowledge/framework_fields)
# Run it:
#   accelerate launch train.py   (or: python train.py on one GPU)
# WARNING: EOS unknown: check tokenizer_config.json (every turn / document ends with it)
# WARNING: no pad token known that differs from EOS: add one, or EOS is masked

import torch
from datasets import load_dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig, SFTTrainer

MODEL = 'Qwen/Qwen2.5-7B'
tokenizer = AutoTokenizer.from_pretrained(MODEL)
# SFTTrainer renders the chat template and tokenizes with add_special_tokens=False
#   (trl/trainer/sft_trainer.py), so the tokenizer adds no second BOS

DATA = 'train.jsonl'
# Your training file: JSONL, {"text": "..."} with each example already laid out as prefix / suffix
#   / middle with the model's FIM tokens (unknown here — check the tokenizer's FIM tokens)
dataset = load_dataset("json", data_files=DATA, split="train")

model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.bfloat16)

peft_config = LoraConfig(
    # rank-memory-model: rank 16 on all linear layers, the adapter size the memory estimate
    #   assumes
    r=16,
    # alpha = 2 x rank
    lora_alpha=32,
    lora_dropout=0.05,
    # targets-all-linear: all linear layers (QLoRA paper: adapters on every linear layer match
    #   full fine-tuning quality)
    target_modules='all-linear',
    task_type='CAUSAL_LM',
)

args = SFTConfig(
    output_dir='outputs',
    # length-from-data: the longest example is 2048 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_length=2048,
    # fim-completion: fill-in-the-middle: documents pre-formatted with the model's FIM tokens,
    #   trained as plain completion
    dataset_text_field='text',
    # packing-text: packing is safe for a next-token objective: documents are joined with EOS
    #   and nothing is masked
    packing=True,
    # batch-memory-model: batch size 1 per device, as the memory estimate assumes; gradient
    #   accumulation gives an effective batch of 16
    per_device_train_batch_size=1,
    # effective batch 16 per device at batch size 1
    gradient_accumulation_steps=16,
    # checkpointing-on: the memory estimate assumes gradient checkpointing on (activations
    #   recomputed, not stored)
    gradient_checkpointing=True,
    # lr-adapter: LoRA / QLoRA adapters start from zero: 2e-4 is the QLoRA paper's rate for
    #   7B-13B models
    learning_rate=0.0002,
    # one pass to start: check the eval loss before more
    num_train_epochs=1,
    # bf16 weights and compute, as the memory estimate assumes
    bf16=True,
    logging_steps=10,
)

trainer = SFTTrainer(
    model=model,
    args=args,
    train_dataset=dataset,
    processing_class=tokenizer,
    peft_config=peft_config,
)
trainer.train()
trainer.save_model()
