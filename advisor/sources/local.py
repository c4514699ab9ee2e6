"""The local provider: a model folder on disk, or a repo in the Hugging Face cache.

Reads config.json, tokenizer_config.json, chat_template.jinja / chat_template.json, README.md
front matter and the headers of *.safetensors files. Never loads weights, never runs code.
"""

from __future__ import annotations

import os
from pathlib import Path

from advisor import safejson
from advisor.errors import UserError
from advisor.facts import (
    SOURCE_CHAT_TEMPLATE,
    SOURCE_CONFIG,
    SOURCE_README,
    SOURCE_SAFETENSORS,
    SOURCE_TOKENIZER_CONFIG,
    ModelFacts,
    variant,
)
from advisor.safefile import read_capped
from advisor.sources import modelfiles
from advisor.sources.hub_answer import clean

_CACHE_PREFIX = "models--"


def hf_home() -> Path:
    """HF_HOME as huggingface_hub computes it (without importing huggingface_hub)."""
    if home := os.environ.get("HF_HOME"):
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(xdg, "huggingface").expanduser()


def hf_hub_cache() -> Path:
    """The Hub download cache: HF_HUB_CACHE, else HF_HOME/hub."""
    cache = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    return Path(cache).expanduser() if cache else hf_home() / "hub"


def snapshot_dir(repo_dir: Path) -> Path | None:
    """The snapshot to read in a cache repo folder: refs/main's, else the newest."""
    snapshots = repo_dir / "snapshots"
    if not snapshots.is_dir():
        return None
    ref_file = repo_dir / "refs" / "main"
    sha = ref_file.read_text("utf-8").strip() if ref_file.is_file() else "main"
    if (snapshots / sha).is_dir():
        return snapshots / sha
    candidates = [p for p in snapshots.iterdir() if p.is_dir()]
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


def _repo_id_of(folder: Path) -> str:
    """org/name for a cache snapshot (…/models--org--name/snapshots/<sha>), else the path."""
    parent = folder.parent.parent
    if folder.parent.name == "snapshots" and parent.name.startswith(_CACHE_PREFIX):
        return parent.name[len(_CACHE_PREFIX) :].replace("--", "/", 1)
    return str(folder)


def resolve_folder(target: str) -> Path:
    """The folder holding config.json for a path (plain folder, cache repo folder or snapshot)."""
    path = Path(target).expanduser()
    if not path.exists():
        raise UserError(
            f"{target}: no such folder", hint="give a model folder or an org/name repo id"
        )
    if not path.is_dir():
        raise UserError(f"{target}: not a folder", hint="give the folder that holds config.json")
    if path.name.startswith(_CACHE_PREFIX) and (snap := snapshot_dir(path)):
        path = snap
    if not (path / "config.json").is_file():
        raise UserError(
            f"{target}: no config.json in this folder",
            hint="point at a Hugging Face model folder (config.json, tokenizer files)",
        )
    return path


def lookup(target: str) -> ModelFacts:
    """Facts of a model folder, or of a repo id found in the HF cache. UserError if neither."""
    path = Path(target).expanduser()
    if not path.exists() and "/" in target and not target.startswith((".", "/", "~")):
        repo_dir = hf_hub_cache() / (_CACHE_PREFIX + target.replace("/", "--"))  # models--org--name
        snap = snapshot_dir(repo_dir) if repo_dir.is_dir() else None
        if snap is None:
            raise UserError(
                f"{target}: not in the Hugging Face cache ({hf_hub_cache()})",
                hint="download it first, or use --source hub",
            )
        return read_folder(resolve_folder(str(snap)))
    return read_folder(resolve_folder(target))


def read_folder(folder: Path) -> ModelFacts:
    """Facts from the files of one model folder (config.json must exist)."""
    facts = ModelFacts(_repo_id_of(folder))
    facts.set("repo_id", facts.repo_id, SOURCE_CONFIG, str(folder))
    config = _json(folder / "config.json", required=True)
    modelfiles.apply_config(facts, config, str(folder / "config.json"))

    template_file = folder / "chat_template.jinja"
    template_json = folder / "chat_template.json"
    template = _small_text(template_file, modelfiles.MAX_JSON_BYTES)
    if template is not None:
        modelfiles.apply_template(facts, template, str(template_file))
    elif template_json.is_file():
        data = _json(template_json)
        templates = data.get("chat_template") if isinstance(data, dict) else None
        modelfiles.apply_template(facts, modelfiles.template_text(templates), str(template_json))

    tok = _json(folder / "tokenizer_config.json")
    if tok is not None:
        where = str(folder / "tokenizer_config.json")
        modelfiles.apply_tokenizer_config(facts, tok, SOURCE_TOKENIZER_CONFIG, where)
        why = f"{where} has no chat_template and no chat_template.jinja/.json exists"
        facts.set_default("chat_template_present", False, SOURCE_CHAT_TEMPLATE, why)

    readme = folder / "README.md"
    card_text = _small_text(readme, modelfiles.MAX_README_BYTES)
    card = None if card_text is None else modelfiles.front_matter(card_text, str(readme))
    modelfiles.apply_card(facts, card, SOURCE_README, str(readme))  # no card: nothing to apply

    _apply_safetensors(facts, folder, modelfiles.quant_bits(config))
    tags = card.get("tags") if isinstance(card, dict) else None
    variant.classify(
        facts,
        special_token_ids=modelfiles.special_tokens(tok),
        tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else (),
        card_base_model_relation=modelfiles.card_relation(card),
    )
    return facts


def _json(path: Path, required: bool = False) -> object:
    """A small JSON file of the folder; None when it is absent or, unless required, unusable
    (not a regular file, over the size cap, invalid, nested too deeply, a number too long).
    Values are cleaned as a Hub answer is (hub_answer.clean): a JSON escape can spell a lone
    surrogate ("<\\ud800/s>"), which no output encoding can write, and an emitted YAML config
    would not parse."""
    if not path.is_file():
        return None
    try:
        return clean(safejson.loads(read_capped(path, modelfiles.MAX_JSON_BYTES)))
    except PermissionError:
        if required:  # not damaged: unreadable to this user ("[Errno 13] ..." said neither)
            raise UserError(f"{path}: permission denied", hint="make it readable") from None
        return None
    except (OSError, ValueError) as exc:  # a FileRefused names the path, a JSON error does not
        if required:
            problem = f"{path}: {exc}" if isinstance(exc, safejson.JSONValueError) else str(exc)
            raise UserError(
                problem.splitlines()[0], hint="the model folder looks damaged"
            ) from None
        return None


def _small_text(path: Path, cap: int) -> str | None:
    """A small optional text file (regular, at most cap bytes), or None; never blocks."""
    try:
        return read_capped(path, cap).decode("utf-8", errors="replace")
    except (OSError, ValueError):  # absent, a FIFO or device, too large: not read
        return None


def _apply_safetensors(facts: ModelFacts, folder: Path, bits: int | None) -> None:
    shards = sorted(folder.glob("*.safetensors"))  # none: a count of 0, which apply_params skips
    counts: dict[str, int] = {}
    budget = modelfiles.MAX_SAFETENSORS_HEADERS_PER_FOLDER
    try:
        for shard in shards:
            # One header budget per folder: 200 hard links to one 10 MB header must not cost
            # 200 parses. Over it, the count is unknown (as for an unreadable shard).
            cap = min(modelfiles.MAX_SAFETENSORS_HEADER, budget)
            raw = modelfiles.read_safetensors_header(shard, cap)
            budget -= len(raw)
            for dtype, n in modelfiles.header_counts(raw, shard).items():
                counts[dtype] = counts.get(dtype, 0) + n
    except (OSError, ValueError):
        return  # an unreadable shard makes the count unknown, not wrong
    total, note = modelfiles.param_count(counts, bits)
    detail = f"{len(shards)} file(s) in {folder}" + (f"; {note}" if note else "")
    modelfiles.apply_params(facts, total, SOURCE_SAFETENSORS, detail)
