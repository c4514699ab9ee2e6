# Unsloth config for Qwen/Qwen2.5-7B
# Written by advisor <version> (advisor config): a starting point, read every comment.
# Spec: examples/legal-cpt.yaml — Continued pretraining on 2 GB of raw legal text (court filings
#   and contracts)
# Verdict: base (confidence high); recommended repo: Qwen/Qwen2.5-7B
# Exceptions that chose base: continued-pretraining
# Memory (qlora): weights 5.7 + gradients 0.2 + optimizer 0.3 + activations 0.8 + logits 7.5 +
#   overhead 1.0 = 15.5 GB (qlora, seq 4,096, micro-batch 1) — fits your 24 GB GPU
# Checked against: unsloth-2026.10.9, unsloth_zoo-2026.10.9, trl-1.16.0, transformers-5.24.0
#   (advisor/knowledge/framework_fields)
# Run it:
#   python train.py
# WARNING: EOS unknown: check tokenizer_config.json (every turn / document ends with it)
# WARNING: no pad token known that differs from EOS: add one, or EOS is masked

from unsloth import FastLanguageModel  # first: Unsloth patches transformers
from datasets import load_dataset
from trl import SFTConfig, SFTTrainer

MODEL = 'Qwen/Qwen2.5-7B'

model, tokenizer = FastLanguageModel.from_pretrained(
    model_name=MODEL,
    # length-from-data: the longest example is 4096 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_seq_length=4096,
    # 4-bit base weights only for QLoRA (your spec's method)
    load_in_4bit=True,
)
# Unsloth trains through TRL's SFTTrainer (add_special_tokens=False after the template); never
#   pre-render the text yourself with a BOS in it

DATA = 'train.jsonl'
# Your training file: JSONL, one document per line: {"text": "..."}
dataset = load_dataset("json", data_files=DATA, split="train")

model = FastLanguageModel.get_peft_model(
    model=model,
    # rank-memory-model: rank 16 on all linear layers, the adapter size the memory estimate
    #   assumes
    r=16,
    # alpha = 2 x rank
    lora_alpha=32,
    # Unsloth's fast path wants dropout 0
    lora_dropout=0.0,
    # targets-all-linear: all linear layers (QLoRA paper: adapters on every linear layer match
    #   full fine-tuning quality)
    target_modules='all-linear',
    # checkpointing-on: the memory estimate assumes gradient checkpointing on (activations
    #   recomputed, not stored)
    use_gradient_checkpointing='unsloth',
)

args = SFTConfig(
    output_dir='outputs',
    # length-from-data: the longest example is 4096 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_length=4096,
    # cpt-raw-text: raw text: continued pretraining, next-token loss on every token, no chat
    #   template
    dataset_text_field='text',
    # packing-text: packing is safe for a next-token objective: documents are joined with EOS
    #   and nothing is masked
    packing=True,
    # batch-memory-model: batch size 1 per device, as the memory estimate assumes; gradient
    #   accumulation gives an effective batch of 16
    per_device_train_batch_size=1,
    # effective batch 16 per device at batch size 1
    gradient_accumulation_steps=16,
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
)
trainer.train()
model.save_pretrained("outputs")
tokenizer.save_pretrained("outputs")
