"""Reports for the golden tests and a recommendation built from hostile model metadata."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from advisor.decide import Recommendation, recommend
from advisor.engine.loader import load_rules
from advisor.facts import SOURCE_HUB_API, ModelFacts
from advisor.facts.derive import complete
from advisor.spec import TaskSpec

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "tests" / "fixtures" / "specs").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("ADVISOR_UPDATE_GOLDEN") == "1"
VERSION = "<advisor-version>"

SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.title='pwned'\">"


def normalise(text: str) -> str:
    """The advisor version must not churn the golden files on every release."""
    text = re.sub(r'("advisor_version": )"[^"]*"', rf'\1"{VERSION}"', text)
    return re.sub(r"advisor [^ <,]+, report schema", f"advisor {VERSION}, report schema", text)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = normalise(text)
    if UPDATE or not path.exists():
        if not UPDATE:
            raise AssertionError(f"{path} missing: run with ADVISOR_UPDATE_GOLDEN=1 to create it")
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name} differs from its golden file (ADVISOR_UPDATE_GOLDEN=1 regenerates)"
    )


def hostile_models() -> list[ModelFacts]:
    """A base/instruct pair whose metadata carries markup, table pipes and backticks."""
    models = []
    for variant, repo in (("base", "evil/Model`|x"), ("instruct", "evil/Model-Instruct`|x")):
        facts = ModelFacts(repo)
        facts.set("repo_id", repo, SOURCE_HUB_API)
        facts.set("variant", variant, SOURCE_HUB_API)
        facts.set("family", f"Evil{SCRIPT}", SOURCE_HUB_API)
        facts.set("license", f"mit|{IMG}", SOURCE_HUB_API)
        facts.set("license_name_full", f"Evil {SCRIPT} licence", SOURCE_HUB_API)
        facts.set("chat_template_family", f"chatml{IMG}", SOURCE_HUB_API)
        facts.set("params_b", 7.0, SOURCE_HUB_API)
        facts.set("context_length", 8192, SOURCE_HUB_API)
        facts.set("vocab_size", 32000, SOURCE_HUB_API)
        facts.set("gated", False, SOURCE_HUB_API)
        if variant == "base":
            facts.set("instruct_sibling", "evil/Model-Instruct`|x", SOURCE_HUB_API)
        else:
            facts.set("base_model", "evil/Model`|x", SOURCE_HUB_API)
        models.append(facts)
    return models


def hostile_recommendation() -> Recommendation:
    spec = TaskSpec.model_validate(
        {
            "task": {"description": f"Summarise tickets {SCRIPT} | `code` {IMG}"},
            "data": {"format": "chat", "examples": 500},
            "training": {"method": "qlora", "gpu_memory_gb": 24},
            "constraints": {"commercial_use": True},
        }
    )
    return recommend(spec, load_rules(), hostile_models())


def report_json(spec: Path, fmt: str = "json") -> str:
    from click.testing import CliRunner

    from advisor.cli import cli

    result = CliRunner().invoke(cli, ["report", str(spec), "--format", fmt, "--source", "catalog"])
    assert result.exit_code == 0, result.output
    return result.output


def as_dict(spec: Path) -> dict:
    return json.loads(report_json(spec))


def fixed_models() -> list[ModelFacts]:
    """Two families written out here, not read from the catalog: a catalog edit must not
    rewrite the text and HTML golden files."""
    rows = [
        ("acme/Widget-7B", "base", "apache-2.0", 7.24, 32768, None, False),
        ("acme/Widget-7B-Instruct", "instruct", "apache-2.0", 7.24, 32768, "chatml", False),
        ("corp/Gizmo-8B", "base", "llama3.1", 8.03, 131072, None, True),
        ("corp/Gizmo-8B-Instruct", "instruct", "llama3.1", 8.03, 131072, "llama3", True),
    ]
    models = []
    for repo, variant, licence, params, context, template, gated in rows:
        facts = ModelFacts(repo)
        facts.set("repo_id", repo, SOURCE_HUB_API)
        facts.set("variant", variant, SOURCE_HUB_API)
        facts.set("family", repo.split("/")[1].rsplit("-", 1)[0], SOURCE_HUB_API)
        facts.set("license", licence, SOURCE_HUB_API)
        facts.set("params_b", params, SOURCE_HUB_API)
        facts.set("context_length", context, SOURCE_HUB_API)
        facts.set("gated", gated, SOURCE_HUB_API)
        facts.set("chat_template_present", template is not None, SOURCE_HUB_API)
        facts.set("chat_template_family", template, SOURCE_HUB_API)
        if variant == "base":
            facts.set("instruct_sibling", f"{repo}-Instruct", SOURCE_HUB_API)
        else:
            facts.set("base_model", repo.removesuffix("-Instruct"), SOURCE_HUB_API)
        models.append(complete(facts))
    return models


def fixed_recommendation() -> Recommendation:
    spec = TaskSpec.model_validate(
        {
            "task": {"description": "Classify support tickets", "kind": "classification"},
            "data": {"format": "instruction", "examples": 800, "max_tokens": 1024},
            "training": {"method": "lora", "gpu_memory_gb": 24},
            "constraints": {"commercial_use": True, "max_params": "8B"},
        }
    )
    return recommend(spec, load_rules(), fixed_models())
