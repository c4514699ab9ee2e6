"""Architecture dimensions of a decoder-only transformer: the shape of every weight matrix and
the parameter count, from the config.json dimensions (HF names) in a model's facts.

Used for the parameters of a local folder without safetensors headers and for the memory model
(LoRA adapter shapes, activation and logits widths). Nothing is guessed: without the core
dimensions there are no Dims, and each assumption made (untied embeddings when unstated, a
gated MLP for an unknown model type) is returned as a sentence to show beside the number.
"""

from typing import NamedTuple

from advisor.facts import ModelFacts

# model_type values whose MLP is two matrices (up, GELU, down) instead of the gated three
# (gate, up, down: SwiGLU / GeGLU). From each family's modeling file in transformers:
# phi (PhiMLP fc1/fc2), gpt_neox, gpt2 / gpt_bigcode (c_fc/c_proj), starcoder2 (c_fc/c_proj),
# falcon (dense_h_to_4h/dense_4h_to_h), gptj, opt, bloom (dense_h_to_4h).
PLAIN_MLP_MODEL_TYPES = frozenset(
    {"phi", "gpt_neox", "gpt2", "gpt_bigcode", "starcoder2", "falcon", "gptj", "opt", "bloom"}
)

REQUIRED = ("hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size")
# Far above any released model (the largest dense hidden size is ~25k, vocabularies ~1M): a
# config.json beyond one of these is damaged or hostile, and its dimensions are not used (the
# parameter count and memory stay unknown instead of printing 1e41 GB).
LIMITS = {
    "hidden_size": 2**20,
    "num_hidden_layers": 10_000,
    "num_attention_heads": 2**16,
    "num_key_value_heads": 2**16,
    "head_dim": 2**16,
    "vocab_size": 10**8,
    "intermediate_size": 2**22,
    "moe_intermediate_size": 2**22,
    "num_experts": 2**16,
}


class Dims(NamedTuple):
    """A model's architecture dimensions (config.json), enough to count its parameters."""

    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int  # dense MLP width (or one expert's width for MoE)
    vocab: int
    tied: bool
    gated_mlp: bool
    experts: int = 1  # 1 = dense
    experts_per_tok: int = 1
    assumptions: tuple[str, ...] = ()

    @property
    def q_width(self) -> int:
        return self.heads * self.head_dim

    @property
    def kv_width(self) -> int:
        return self.kv_heads * self.head_dim

    @property
    def is_moe(self) -> bool:
        return self.experts > 1

    def attention_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) of each attention projection of one layer; k/v are narrower under GQA."""
        return {
            "q_proj": (self.hidden, self.q_width),
            "k_proj": (self.hidden, self.kv_width),
            "v_proj": (self.hidden, self.kv_width),
            "o_proj": (self.q_width, self.hidden),
        }

    def mlp_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) of each MLP projection of one expert (of the dense MLP when not MoE)."""
        up, down = (self.hidden, self.intermediate), (self.intermediate, self.hidden)
        gate = {"gate_proj": up} if self.gated_mlp else {}  # a plain MLP has up and down only
        return {**gate, "up_proj": up, "down_proj": down}

    def linear_params(self) -> int:
        """Parameters in one layer's projection matrices (what QLoRA quantises)."""
        attention = sum(i * o for i, o in self.attention_shapes().values())
        return attention + sum(i * o for i, o in self.mlp_shapes().values()) * self.experts

    def layer_params(self) -> int:
        router = self.hidden * self.experts if self.is_moe else 0
        norms = 2 * self.hidden
        return self.linear_params() + router + norms

    def embedding_params(self) -> int:
        return self.vocab * self.hidden

    def params(self) -> int:
        """All parameters: embeddings, lm_head unless tied, layers, final norm (biases left out:
        under 0.1% where models have them, e.g. Qwen2's q/k/v bias)."""
        head = 0 if self.tied else self.embedding_params()
        return self.embedding_params() + head + self.layers * self.layer_params() + self.hidden

    def formula(self) -> str:
        mlp = "3" if self.gated_mlp else "2"
        moe = f" x {self.experts} experts" if self.is_moe else ""
        head = "" if self.tied else " + lm_head"
        return (
            f"embeddings {self.vocab}x{self.hidden}{head} + {self.layers} layers x "
            f"(attention q {self.q_width} / kv {self.kv_width} wide + {mlp} MLP matrices of "
            f"{self.intermediate}{moe})"
        )


def out_of_range(facts: ModelFacts) -> str | None:
    """The first dimension over its LIMITS entry, said with its value, or None."""
    for name, top in LIMITS.items():
        value = facts.get(name)
        if isinstance(value, int) and value > top:
            return f"{name} {value:,} is over {top:,}"
    return None


def from_facts(facts: ModelFacts) -> Dims | None:
    """The dimensions, or None when a core one (hidden, layers, heads, vocab) is unknown."""
    values = {name: facts.get(name) for name in REQUIRED}
    if any(not isinstance(v, int) or v <= 0 for v in values.values()) or out_of_range(facts):
        return None
    hidden, heads = values["hidden_size"], values["num_attention_heads"]
    assumptions: list[str] = []
    head_dim = facts.get("head_dim")
    if not isinstance(head_dim, int) or head_dim <= 0:
        if hidden % heads:
            return None
        head_dim = hidden // heads
    kv_heads = facts.get("num_key_value_heads")
    if not isinstance(kv_heads, int) or kv_heads <= 0:
        kv_heads = heads  # transformers' default: no GQA when the config does not say
        assumptions.append("num_key_value_heads not stated: as many as attention heads")
    experts = facts.get("num_experts")
    experts = experts if isinstance(experts, int) and experts > 1 else 1
    width = facts.get("moe_intermediate_size") if experts > 1 else None
    if not isinstance(width, int) or width <= 0:
        width = facts.get("intermediate_size")
    if not isinstance(width, int) or width <= 0:
        return None
    per_tok = facts.get("num_experts_per_tok")
    per_tok = per_tok if isinstance(per_tok, int) and 0 < per_tok <= experts else experts
    tied = facts.get("tie_word_embeddings")
    if not isinstance(tied, bool):
        tied = False
        assumptions.append("tie_word_embeddings not stated: counted with a separate lm_head")
    model_type = facts.get("model_type")
    if not isinstance(model_type, str):
        assumptions.append("model_type unknown: a gated (SwiGLU) MLP assumed")
    return Dims(
        hidden=hidden,
        layers=values["num_hidden_layers"],
        heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        intermediate=width,
        vocab=values["vocab_size"],
        tied=tied,
        gated_mlp=model_type not in PLAIN_MLP_MODEL_TYPES,
        experts=experts,
        experts_per_tok=per_tok,
        assumptions=tuple(assumptions),
    )
