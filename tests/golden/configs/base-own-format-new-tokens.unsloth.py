# Unsloth config for allenai/OLMo-2-1124-7B
# Written by advisor <version> (advisor config): a starting point, read every comment.
# Spec: examples/own-alignment.yaml — Our own SFT + DPO post-training for a support assistant with
#   our own chat format and pe...
# Verdict: base (confidence high); recommended repo: allenai/OLMo-2-1124-7B
# Exceptions that chose base: own-alignment
# Memory (full): weights 14.6 + gradients 14.6 + optimizer 87.6 + activations 1.1 + logits 4.9 +
#   overhead 1.0 = 123.8 GB (full, seq 4,096, micro-batch 1) — fits your 640 GB GPU
# Checked against: unsloth-2026.10.9, unsloth_zoo-2026.10.9, trl-1.16.0, transformers-5.24.0
#   (advisor/knowledge/framework_fields)
# Run it:
#   python train.py
# WARNING: no pad token known that differs from EOS: add one, or EOS is masked

from unsloth import FastLanguageModel  # first: Unsloth patches transformers
from unsloth.chat_templates import get_chat_template, train_on_responses_only
from datasets import load_dataset
from trl import SFTConfig, SFTTrainer

MODEL = 'allenai/OLMo-2-1124-7B'

model, tokenizer = FastLanguageModel.from_pretrained(
    model_name=MODEL,
    # length-from-data: the longest example is 4096 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_seq_length=4096,
    # 4-bit base weights only for QLoRA (your spec's method)
    load_in_4bit=False,
    # your spec's method: full fine-tuning
    full_finetuning=True,
    # checkpointing-on: the memory estimate assumes gradient checkpointing on (activations
    #   recomputed, not stored)
    use_gradient_checkpointing='unsloth',
)
# Unsloth trains through TRL's SFTTrainer (add_special_tokens=False after the template); never
#   pre-render the text yourself with a BOS in it

# format-own-chatml: ChatML as the starting point for your own format (replace it with yours; its
#   tokens are listed as new)
tokenizer = get_chat_template(
    tokenizer=tokenizer,
    chat_template='chatml',
)

DATA = 'train.jsonl'
# Your training file: JSONL, one conversation per line: {"messages": [{"role": "user", "content":
#   "..."}, {"role": "assistant", "content": "..."}]}
dataset = load_dataset("json", data_files=DATA, split="train")

# tokens-new: the format's special tokens are not in this tokenizer: they are added and their
#   embedding rows trained (axolotl#1570, peft#2589)
FORMAT_TOKENS = ['<|im_start|>', '<|im_end|>']
tokenizer.add_special_tokens({"additional_special_tokens": FORMAT_TOKENS})
model.resize_token_embeddings(len(tokenizer))

args = SFTConfig(
    output_dir='outputs',
    # length-from-data: the longest example is 4096 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_length=4096,
    # packing-off-chat: no packing for conversations: packed examples would attend to each
    #   other unless the framework isolates them
    packing=False,
    # eos-template-end-of-turn: EOS is the template's end-of-turn token <|im_end|>: generation
    #   stops where a turn ends
    eos_token='<|im_end|>',
    # batch-memory-model: batch size 1 per device, as the memory estimate assumes; gradient
    #   accumulation gives an effective batch of 16
    per_device_train_batch_size=1,
    # effective batch 16 per device at batch size 1
    gradient_accumulation_steps=16,
    # lr-full: full fine-tuning moves every weight: a small learning rate (1e-5) keeps what
    #   pretraining learned
    learning_rate=1e-05,
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

trainer = train_on_responses_only(
    # unsloth-responses-only: train_on_responses_only with this template's exact turn markers
    #   masks everything but the answers
    trainer=trainer,
    instruction_part='<|im_start|>user\n',
    response_part='<|im_start|>assistant\n',
)
trainer.train()
model.save_pretrained("outputs")
tokenizer.save_pretrained("outputs")
