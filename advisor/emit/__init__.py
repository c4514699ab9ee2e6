"""Training configs as renderers of a recommendation: TRL (script or CLI YAML), Axolotl,
LLaMA-Factory, Unsloth.

plan.py turns the recommendation into decided settings (rules in
advisor/knowledge/config_rules.yaml); each emitter writes them in its framework's own format;
fields.py checks the result against the fields extracted from the pinned frameworks' wheels.
"""

from __future__ import annotations

from collections.abc import Callable

from advisor.emit.plan import Plan, build_plan

FRAMEWORKS = ("trl", "trl-cli", "axolotl", "llamafactory", "unsloth")
SUFFIX = {
    "trl": ".py",
    "trl-cli": ".yaml",
    "unsloth": ".py",
    "axolotl": ".yml",
    "llamafactory": ".yaml",
}


def _emitter(framework: str) -> Callable[[Plan], tuple[str, list[str]]]:
    from advisor.emit import axolotl, llamafactory, trl, trl_cli, unsloth

    return {
        "trl": trl.emit,
        "trl-cli": trl_cli.emit,
        "axolotl": axolotl.emit,
        "llamafactory": llamafactory.emit,
        "unsloth": unsloth.emit,
    }[framework]


def render_config(plan: Plan, framework: str) -> tuple[str, list[str]]:
    """The config text and the warnings to print (settings the framework cannot express or the
    rules could not decide)."""
    text, limits = _emitter(framework)(plan)
    return text, plan.warnings + limits


__all__ = ["FRAMEWORKS", "SUFFIX", "Plan", "build_plan", "render_config"]
