"""The pick: a ranking by named criteria (knowledge/pick_criteria.yaml), with its reason."""

from __future__ import annotations

import pytest

from advisor.decide import recommend
from advisor.engine.loader import load_rules
from advisor.engine.pick import criteria, decided_by, rank, reason, score
from advisor.facts import SOURCE_CONFIG, ModelFacts
from advisor.sources import catalog
from advisor.spec import TaskSpec

RULES = load_rules()
CASES = criteria().cases


def test_every_criterion_names_existing_rules():
    ids = {r.id for r in RULES}
    for crit in criteria().items:
        assert set(crit.checks) | set(crit.also) <= ids, crit.id
        assert crit.weight > 0 and crit.pass_text and crit.why


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_criteria_cases(case):
    a, b = score("a", case["a"]), score("b", case["b"])
    first, second = rank([b, a]) if case["winner"] != "tie" else rank([a, b])
    if case["winner"] == "tie":
        assert first.tie_with == ["b"] and decided_by(first, second) == "tie"
        return
    assert first.repo_id == case["winner"], (first, second)
    assert decided_by(first, second) == case["decided_by"]


def _rec(spec: dict, repos: list[str]):
    return recommend(TaskSpec.model_validate(spec), RULES, [catalog.lookup(r) for r in repos])


def test_pick_reason_names_the_runner_up_and_the_criterion():
    rec = _rec(
        {"task": {"description": "support bot"}, "constraints": {"languages": ["de"]}},
        ["Qwen/Qwen2.5-7B-Instruct", "allenai/OLMo-2-1124-7B-Instruct"],
    )
    assert rec.repo == "Qwen/Qwen2.5-7B-Instruct"
    assert "ranks above allenai/OLMo-2-1124-7B-Instruct" in rec.pick_reason
    assert "on languages" in rec.pick_reason
    assert [r["repo_id"] for r in rec.ranking] == [
        "Qwen/Qwen2.5-7B-Instruct",
        "allenai/OLMo-2-1124-7B-Instruct",
    ]


def test_a_question_nobody_asked_scores_for_no_candidate():
    # No context was asked. Qwen2.5 documents a longer context, so its rope-scaling check waits
    # on the input (not asked); SmolLM2 documents none, so the same check passes without it.
    # That pass must not give SmolLM2 a context criterion Qwen does not have.
    rec = _rec(
        {"task": {"description": "extract invoice fields to JSON"}},
        ["Qwen/Qwen2.5-7B-Instruct", "HuggingFaceTB/SmolLM2-1.7B-Instruct"],
    )
    by_repo = {r["repo_id"]: r for r in rec.ranking}
    assert {r["criteria"]["context"]["state"] for r in by_repo.values()} == {"not-asked"}
    assert len({r["out_of"] for r in by_repo.values()}) == 1


def test_a_tie_says_so():
    rec = _rec({"task": {"description": "support bot"}}, ["Qwen/Qwen2.5-7B-Instruct"] * 1)
    assert "only candidate" in rec.pick_reason


def test_no_candidate_contradicting_the_verdict_is_recommended():
    # Phi has no base release: under a base verdict it is never the pick; the closest is named.
    rec = _rec(
        {"task": {"description": "Continued pretraining on raw legal text"}},
        ["microsoft/Phi-3.5-mini-instruct"],
    )
    assert rec.variant == "base"
    assert rec.repo is None and not any(c.recommended for c in rec.candidates)
    assert rec.closest == "microsoft/Phi-3.5-mini-instruct"
    assert "No base candidate" in rec.pick_reason and "closest" in rec.pick_reason


def test_a_local_base_folder_with_no_sibling_is_not_recommended_under_instruct():
    folder = ModelFacts("./my-base-model")
    folder.set("variant", "base", SOURCE_CONFIG)
    rec = recommend(
        TaskSpec.model_validate({"task": {"description": "support chat bot"}}), RULES, [folder]
    )
    assert rec.variant == "instruct" and rec.repo is None
    assert "no instruct variant" in rec.candidates[0].why_not


def test_default_set_offers_the_family_size_whose_licence_the_spec_allows():
    # Commercial German/French on an 8 GB GPU: Qwen2.5-7B does not fit, and the 3B below it is
    # qwen-research (shared/data licence-conditions.yaml: no commercial use), so the family is
    # offered at 1.5B (Apache-2.0), which its card claims German and French for.
    from advisor.candidates import default_candidates

    spec = TaskSpec.model_validate(
        {
            "task": {"description": "Classify product reviews in German and French"},
            "data": {"format": "instruction", "max_tokens": 512},
            "training": {"method": "qlora", "gpu_memory_gb": 8},
            "constraints": {"commercial_use": True, "languages": ["de", "fr"]},
        }
    )
    offered = default_candidates(spec)
    assert "Qwen/Qwen2.5-1.5B-Instruct" in offered
    assert "Qwen/Qwen2.5-3B-Instruct" not in offered
    # Without commercial use the 3B is allowed again, and the largest that fits stands.
    research = spec.model_copy(
        update={"constraints": spec.constraints.model_copy(update={"commercial_use": False})}
    )
    assert "Qwen/Qwen2.5-3B-Instruct" in default_candidates(research)
    # When no size of a family passes (an MIT-only allowlist), the largest is still shown.
    mit = spec.model_copy(
        update={"constraints": spec.constraints.model_copy(update={"licenses": ["mit"]})}
    )
    assert "Qwen/Qwen2.5-3B-Instruct" in default_candidates(mit)


def test_no_readable_candidate_says_so_not_that_checks_failed():
    # Offline, an uncatalogued repo has no facts: nothing failed a fit check, so the reason and
    # the next step say the facts could not be read, and how to get them.
    spec = TaskSpec.model_validate({"task": {"description": "support bot"}})
    rec = recommend(spec, RULES, [catalog.lookup_or_unknown("someorg/unknown-model-7b")])
    assert rec.repo is None
    assert rec.pick_reason == "No candidate's facts could be read: nothing is recommended."
    assert rec.next_steps[-1].startswith("No candidate's facts could be read")
    assert "--source hub" in rec.next_steps[-1]


def test_the_known_reason_counts_its_checks_in_words():
    # "1 unknown check", never "1 unknown checks".
    top = score("a", {"x-rule": "unknown"})
    runner = score("b", {"x-rule": "unknown", "y-rule": "unknown"})
    ranked = rank([runner, top])
    assert ranked[0].repo_id == "a"
    assert "1 unknown check vs 2." in reason(ranked[0], ranked[1], {})


def test_when_only_memory_fails_the_next_step_says_what_fits():
    """A 7B named with a 16 GB GPU and no method: LoRA (assumed) needs 19 GB, QLoRA 9.3. The
    next step said only 'relax a constraint', though one flag makes the named model fit."""
    spec = TaskSpec.model_validate(
        {"task": {"description": "support bot"}, "training": {"gpu_memory_gb": 16}}
    )
    rec = _rec(spec.model_dump(), ["Qwen/Qwen2.5-7B-Instruct"])
    assert rec.repo is None
    step = rec.next_steps[-1]
    assert step.startswith("Qwen/Qwen2.5-7B-Instruct fails only on memory (lora ~19 GB")
    assert "QLoRA (4-bit base weights) (~9.3 GB)" in step and "--method qlora" in step
