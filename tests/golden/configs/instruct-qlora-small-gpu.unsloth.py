# Unsloth config for meta-llama/Llama-3.1-8B-Instruct
# Written by advisor <version> (advisor config): a starting point, read every comment.
# Spec: examples/small-gpu-qlora.yaml — Reply to customer emails in our support team's tone
# Verdict: instruct (confidence high); recommended repo: meta-llama/Llama-3.1-8B-Instruct
# Memory (qlora): weights 5.9 + gradients 0.2 + optimizer 0.3 + activations 0.8 + logits 4.7 +
#   overhead 1.0 = 12.9 GB (qlora, seq 3,072, micro-batch 1) — fits your 16 GB GPU
# Checked against: unsloth-2026.10.9, unsloth_zoo-2026.10.9, trl-1.16.0, transformers-5.24.0
#   (advisor/knowledge/framework_fields)
# Run it:
#   python train.py

from unsloth import FastLanguageModel  # first: Unsloth patches transformers
from unsloth.chat_templates import train_on_responses_only
from datasets import load_dataset
from trl import SFTConfig, SFTTrainer

MODEL = 'meta-llama/Llama-3.1-8B-Instruct'

model, tokenizer = FastLanguageModel.from_pretrained(
    model_name=MODEL,
    # length-from-data: the longest example is 3072 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_seq_length=3072,
    # 4-bit base weights only for QLoRA (your spec's method)
    load_in_4bit=True,
)
# Unsloth trains through TRL's SFTTrainer (add_special_tokens=False after the template); never
#   pre-render the text yourself with a BOS in it

DATA = 'train.jsonl'
# Your training file: JSONL, one conversation per line: {"messages": [{"role": "user", "content":
#   "..."}, {"role": "assistant", "content": "..."}]}
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
    # length-from-data: the longest example is 3072 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_length=3072,
    # packing-off-chat: no packing for conversations: packed examples would attend to each
    #   other unless the framework isolates them
    packing=False,
    # eos-template-end-of-turn: EOS is the template's end-of-turn token <|eot_id|>: generation
    #   stops where a turn ends
    eos_token='<|eot_id|>',
    # pad-family: pad-not-eos: <|finetune_right_pad_id|> pads instead of EOS (meta-
    #   llama/llama-models models/llama3/tokenizer.py @a9c89c47; unsloth_zoo pad_token.py);
    #   padding with EOS would mask it and the model would never stop
    pad_token='<|finetune_right_pad_id|>',
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

trainer = train_on_responses_only(
    # unsloth-responses-only: train_on_responses_only with this template's exact turn markers
    #   masks everything but the answers
    trainer=trainer,
    instruction_part='<|start_header_id|>user<|end_header_id|>\n\n',
    response_part='<|start_header_id|>assistant<|end_header_id|>\n\n',
)
trainer.train()
model.save_pretrained("outputs")
tokenizer.save_pretrained("outputs")
