"""Extract the config fields and enum values of the training frameworks from their pinned wheels.

    python tools/extract_framework_fields.py [--wheels DIR]

Downloads the wheels pinned below with `pip download --no-deps` (or reads them from --wheels),
and PARSES their source with `ast` — nothing is imported, so neither torch nor the frameworks
need to be installed. Writes advisor/knowledge/framework_fields/<framework>.json: every field
name the config emitters may write and the allowed values of the enums they use, with the
wheel version and the file each list came from. The tests check every key and enum value an
emitter writes against these files, so a field a pinned framework does not have fails a test.

To move to a newer framework release: change PINS, run this script, review the diff, commit.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "advisor" / "knowledge" / "framework_fields"

PINS = {
    "trl": "1.16.0",
    "peft": "0.21.2",
    "transformers": "5.24.0",
    "axolotl": "0.19.0",
    "llamafactory": "0.9.5",
    "unsloth": "2026.10.9",
    "unsloth_zoo": "2026.10.9",  # unsloth re-exports train_on_responses_only from here
}


class Wheel:
    """One wheel, read in place: its Python files parsed on demand, never imported."""

    def __init__(self, path: Path, name: str, version: str) -> None:
        self.path, self.name, self.version = path, name, version
        self._zip = zipfile.ZipFile(path)
        self._trees: dict[str, ast.Module] = {}

    def text(self, member: str) -> str:
        return self._zip.read(member).decode("utf-8")

    def tree(self, member: str) -> ast.Module:
        if member not in self._trees:
            self._trees[member] = ast.parse(self.text(member), filename=member)
        return self._trees[member]

    def members(self, prefix: str, suffix: str = ".py") -> list[str]:
        return sorted(
            n for n in self._zip.namelist() if n.startswith(prefix) and n.endswith(suffix)
        )


def download(dest: Path) -> dict[str, Wheel]:
    wheels: dict[str, Wheel] = {}
    for name, version in PINS.items():
        pattern = f"{name.replace('-', '_')}-{version}-*.whl"
        found = sorted(dest.glob(pattern))
        if not found:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest),
                 f"{name}=={version}"],
                check=True,
            )  # fmt: skip
            found = sorted(dest.glob(pattern))
        if not found:
            raise SystemExit(f"extract_framework_fields: no wheel {pattern} in {dest}")
        wheels[name] = Wheel(found[0], name, version)
    return wheels


# --- generic readers over the syntax tree ---------------------------------------------------


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    return ""


def _literals(annotation: ast.expr) -> list[str]:
    """String values of every Literal[...] inside an annotation (Literal['a','b'] | None ...)."""
    values: list[str] = []
    for node in ast.walk(annotation):
        if isinstance(node, ast.Subscript) and _name(node.value) == "Literal":
            inner = node.slice
            items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            values += [i.value for i in items if isinstance(i, ast.Constant)]
    return [str(v) for v in values]


def _classes(trees: list[ast.Module]) -> dict[str, ast.ClassDef]:
    found: dict[str, ast.ClassDef] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                found.setdefault(node.name, node)
    return found


def class_fields(trees: list[ast.Module], root: str) -> dict[str, dict]:
    """Annotated class attributes of `root` and of every base class defined in `trees`
    (dataclass / pydantic fields), each with the Literal values its annotation allows."""
    classes = _classes(trees)
    if root not in classes:
        raise SystemExit(f"extract_framework_fields: class {root} not found")
    fields: dict[str, dict] = {}
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in classes:
            return
        seen.add(name)
        node = classes[name]
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                field = stmt.target.id
                if field.startswith("_") or _name(stmt.annotation) == "ClassVar":
                    continue
                entry = fields.setdefault(field, {})
                literal = _literals(stmt.annotation)
                if literal and "literal" not in entry:
                    entry["literal"] = literal
        for base in node.bases:
            visit(_name(base))

    visit(root)
    return dict(sorted(fields.items()))


def enum_values(tree: ast.Module, class_name: str) -> list[str]:
    node = _classes([tree])[class_name]
    return [
        s.value.value
        for s in node.body
        if isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant)
        if isinstance(s.value.value, str)
    ]


def function_params(tree: ast.Module, qualname: str) -> list[str]:
    """Parameter names of a function or Class.method (self/cls left out)."""
    parts = qualname.split(".")
    scope: list[ast.stmt] = tree.body
    node: ast.AST | None = None
    for part in parts:
        node = next(
            (
                n
                for n in scope
                if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                and n.name == part
            ),
            None,
        )
        if node is None:
            raise SystemExit(f"extract_framework_fields: {qualname} not found")
        scope = node.body  # type: ignore[attr-defined]
    args = node.args  # type: ignore[union-attr]
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    return [n for n in names if n not in ("self", "cls")]


def call_keyword_strings(tree: ast.Module, function: str, keyword: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _name(node.func) == function
        and any(k.arg == keyword for k in node.keywords)
    ]


def _kw(call: ast.Call, name: str):
    for k in call.keywords:
        if k.arg == name:
            try:
                return ast.literal_eval(k.value)
            except ValueError:
                return _name(k.value) or None
    return None


def dict_keys_assigned(tree: ast.Module, dict_name: str) -> list[str]:
    """Keys of NAME["key"] = ... assignments, including `for k in ("a", "b"): NAME[k] = ...`."""
    keys: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _name(target.value) == dict_name
                    and isinstance(target.slice, ast.Constant)
                ):
                    keys.append(target.slice.value)
        if isinstance(node, ast.For) and isinstance(node.iter, (ast.Tuple, ast.List)):
            loop_values = [e.value for e in node.iter.elts if isinstance(e, ast.Constant)]
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Subscript) and _name(t.value) == dict_name
                    for t in stmt.targets
                ):
                    keys += loop_values
    return sorted(set(keys))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- per framework --------------------------------------------------------------------------


def _trees(wheel: Wheel, prefix: str) -> list[ast.Module]:
    return [wheel.tree(m) for m in wheel.members(prefix)]


def extract_transformers(w: Wheel) -> dict:
    training = [w.tree("transformers/training_args.py")]
    quant = w.tree("transformers/utils/quantization_config.py")
    return {
        "TrainingArguments": {
            "source": "transformers/training_args.py",
            "fields": class_fields(training, "TrainingArguments"),
        },
        "BitsAndBytesConfig": {
            "source": "transformers/utils/quantization_config.py",
            "params": function_params(quant, "BitsAndBytesConfig.__init__"),
        },
    }


def extract_peft(w: Wheel) -> dict:
    trees = [w.tree("peft/tuners/lora/config.py"), w.tree("peft/config.py")]
    return {
        "LoraConfig": {
            "source": "peft/tuners/lora/config.py",
            "fields": class_fields(trees, "LoraConfig"),
        }
    }


def extract_trl(w: Wheel, transformers: Wheel) -> dict:
    config_trees = [w.tree("trl/trainer/sft_config.py"), w.tree("trl/trainer/base_config.py")]
    config_trees.append(transformers.tree("transformers/training_args.py"))
    utils = w.tree("trl/chat_template_utils.py")
    # Module-level NAME = (_CHAT_TEMPLATES_DIR / "file.jinja").read_text(...): variable -> file.
    files: dict[str, str] = {}
    for node in utils.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            for sub in ast.walk(node.value):
                if isinstance(sub, ast.Constant) and str(sub.value).endswith(".jinja"):
                    files[node.targets[0].id] = str(sub.value)
    # get_training_chat_template: `if chat_template == ORIGINAL: return TRAINING` pairs.
    function = next(
        n
        for n in ast.walk(utils)
        if isinstance(n, ast.FunctionDef) and n.name == "get_training_chat_template"
    )
    templates: dict[str, dict] = {}
    for node in ast.walk(function):
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)):
            continue
        right = node.test.comparators[0] if node.test.comparators else None
        ret = node.body[0] if node.body else None
        if not (isinstance(right, ast.Name) and isinstance(ret, ast.Return)):
            continue
        if right.id not in files or not isinstance(ret.value, ast.Name):
            continue
        original = files[right.id]
        training = files[ret.value.id]
        training_text = w.text(f"trl/chat_templates/{training}")
        templates[original.removesuffix(".jinja")] = {
            "original_sha256": sha256(w.text(f"trl/chat_templates/{original}")),
            "training_template": training.removesuffix(".jinja"),
            "training_has_generation_markers": bool(
                re.search(r"\{%-?\s*generation\s*-?%\}", training_text)
            ),
        }
    return {
        "SFTConfig": {
            "source": "trl/trainer/sft_config.py (+ transformers TrainingArguments)",
            "fields": class_fields(config_trees, "SFTConfig"),
        },
        "SFTTrainer": {
            "source": "trl/trainer/sft_trainer.py",
            "params": function_params(w.tree("trl/trainer/sft_trainer.py"), "SFTTrainer.__init__"),
        },
        "cli": {
            "source": "trl/scripts/sft.py (ScriptArguments, SFTConfig, ModelConfig, "
            "DatasetMixtureConfig): the keys of a `trl sft --config FILE` YAML",
            "ModelConfig": class_fields([w.tree("trl/trainer/model_config.py")], "ModelConfig"),
            "ScriptArguments": class_fields([w.tree("trl/scripts/utils.py")], "ScriptArguments"),
            "DatasetMixtureConfig": class_fields(
                [w.tree("trl/scripts/utils.py")], "DatasetMixtureConfig"
            ),
            "DatasetConfig": class_fields([w.tree("trl/scripts/utils.py")], "DatasetConfig"),
        },
        "training_templates": {
            "source": "trl/chat_template_utils.py get_training_chat_template + trl/chat_templates/",
            "note": "SFTTrainer swaps in the training template when the tokenizer's chat "
            "template is byte-identical to the original (assistant_only_loss=True)",
            "templates": dict(sorted(templates.items())),
        },
    }


def extract_axolotl(w: Wheel) -> dict:
    schemas = _trees(w, "axolotl/utils/schemas/")
    enums = w.tree("axolotl/utils/schemas/enums.py")
    strategies = sorted(
        {
            m.removeprefix("axolotl/prompt_strategies/").split("/")[0].removesuffix(".py")
            for m in w.members("axolotl/prompt_strategies/")
        }
        - {"__init__", "base", "user_defined", "jinja_template_analyzer"}
    )
    return {
        "config": {
            "source": "axolotl/utils/schemas/config.py AxolotlInputConfig",
            "fields": class_fields(schemas, "AxolotlInputConfig"),
        },
        "dataset": {
            "source": "axolotl/utils/schemas/datasets.py SFTDataset",
            "fields": class_fields(schemas, "SFTDataset"),
        },
        "special_tokens": {
            "source": "axolotl/utils/schemas/model.py SpecialTokensConfig",
            "fields": class_fields(schemas, "SpecialTokensConfig"),
        },
        "chat_template": {
            "source": "axolotl/utils/schemas/enums.py ChatTemplate",
            "values": enum_values(enums, "ChatTemplate"),
        },
        "dataset_type": {
            "source": "axolotl/prompt_strategies/ (a dataset `type` names one of these modules)",
            "values": strategies,
        },
    }


def extract_llamafactory(w: Wheel, transformers: Wheel) -> dict:
    hparams = _trees(w, "llamafactory/hparams/")
    groups = {
        name: class_fields(hparams, name)
        for name in (
            "ModelArguments",
            "DataArguments",
            "TrainingArguments",
            "FinetuningArguments",
            "GeneratingArguments",
        )
    }
    # LLaMA-Factory's TrainingArguments extends transformers' Seq2SeqTrainingArguments under
    # the same class name, so the transformers part is read from its own wheel separately.
    seq2seq = class_fields(
        [
            transformers.tree("transformers/training_args_seq2seq.py"),
            transformers.tree("transformers/training_args.py"),
        ],
        "Seq2SeqTrainingArguments",
    )
    groups["TrainingArguments"] = dict(sorted((seq2seq | groups["TrainingArguments"]).items()))
    templates: dict[str, dict] = {}
    for call in call_keyword_strings(
        w.tree("llamafactory/data/template.py"), "register_template", "name"
    ):
        name = _kw(call, "name")
        if not isinstance(name, str):
            continue
        templates[name] = {
            "stop_words": _kw(call, "stop_words") or [],
            "replace_eos": bool(_kw(call, "replace_eos")),
            "reasoning": _kw(call, "template_class") == "ReasoningTemplate",
            "thought_words": list(_kw(call, "thought_words") or []),
        }
    parser = [w.tree("llamafactory/data/parser.py")]
    return {
        "args": {
            "source": "llamafactory/hparams/*.py (+ transformers Seq2SeqTrainingArguments)",
            "groups": groups,
        },
        "templates": {
            "source": "llamafactory/data/template.py register_template(name=...)",
            "values": dict(sorted(templates.items())),
        },
        "dataset_attr": {
            "source": "llamafactory/data/parser.py DatasetAttr (dataset_info.json entries)",
            "fields": class_fields(parser, "DatasetAttr"),
        },
    }


def extract_unsloth(w: Wheel, zoo: Wheel) -> dict:
    loader = w.tree("unsloth/models/loader.py")
    llama = w.tree("unsloth/models/llama.py")
    chat = w.tree("unsloth/chat_templates.py")
    return {
        "FastLanguageModel.from_pretrained": {
            "source": "unsloth/models/loader.py",
            "params": function_params(loader, "FastLanguageModel.from_pretrained"),
        },
        "FastLanguageModel.get_peft_model": {
            "source": "unsloth/models/llama.py FastLlamaModel.get_peft_model",
            "params": function_params(llama, "FastLlamaModel.get_peft_model"),
        },
        "get_chat_template": {
            "source": "unsloth/chat_templates.py",
            "params": function_params(chat, "get_chat_template"),
        },
        "chat_templates": {
            "source": "unsloth/chat_templates.py CHAT_TEMPLATES",
            "values": dict_keys_assigned(chat, "CHAT_TEMPLATES"),
        },
        "train_on_responses_only": {
            "source": f"unsloth_zoo {zoo.version} unsloth_zoo/dataset_utils.py",
            "params": function_params(
                zoo.tree("unsloth_zoo/dataset_utils.py"), "train_on_responses_only"
            ),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheels", type=Path, help="folder with (or for) the pinned wheels")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.wheels or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        wheels = download(folder)
        tf = wheels["transformers"]
        outputs = {
            "transformers": extract_transformers(tf),
            "peft": extract_peft(wheels["peft"]),
            "trl": extract_trl(wheels["trl"], tf),
            "axolotl": extract_axolotl(wheels["axolotl"]),
            "llamafactory": extract_llamafactory(wheels["llamafactory"], tf),
            "unsloth": extract_unsloth(wheels["unsloth"], wheels["unsloth_zoo"]),
        }
        OUT.mkdir(parents=True, exist_ok=True)
        for name, data in outputs.items():
            used = {name: PINS[name]}
            if name in ("trl", "llamafactory"):
                used["transformers"] = PINS["transformers"]
            if name == "unsloth":
                used["unsloth_zoo"] = PINS["unsloth_zoo"]
            document = {
                "generated_by": "tools/extract_framework_fields.py (ast, no import)",
                "wheels": {
                    n: f"{wheels[n].path.name} sha256:{_file_sha256(wheels[n].path)}" for n in used
                },
                **data,
            }
            path = OUT / f"{name}.json"
            path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    sys.exit(main())
