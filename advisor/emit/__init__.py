"""Training configs as renderers of a recommendation: TRL (script or CLI YAML), Axolotl,
LLaMA-Factory, Unsloth.

plan.py turns the recommendation into decided settings (rules in
advisor/knowledge/config_rules.yaml); each emitter writes them in its framework's own format;
fields.py checks the result against the fields extracted from the pinned frameworks' wheels.
"""

from __future__ import annotations

from importlib import import_module

from advisor.emit.plan import Plan, build_plan

# framework -> its config file's suffix. Each framework's emitter is the module named after it
# (trl-cli: trl_cli), imported when used.
SUFFIX = {
    "trl": ".py",
    "trl-cli": ".yaml",
    "axolotl": ".yml",
    "llamafactory": ".yaml",
    "unsloth": ".py",
}
FRAMEWORKS = tuple(SUFFIX)


def render_config(plan: Plan, framework: str) -> tuple[str, list[str]]:
    """The config text and the warnings to print (settings the framework cannot express or the
    rules could not decide)."""
    emitter = import_module(f"advisor.emit.{framework.replace('-', '_')}")
    text, limits = emitter.emit(plan)
    return text, plan.warnings + limits


__all__ = ["FRAMEWORKS", "SUFFIX", "Plan", "build_plan", "render_config"]
