"""The pick: rank the recommended candidates by named criteria (knowledge/pick_criteria.yaml).

Each criterion groups the checks that measure one need of the task; its state is its worst
check, its points weight x points[state]. Candidates rank by score, then by how much is known
(fewer unknown checks), then by their order in the spec; equal score and knowledge is a tie, and
the reports say so. The top pick's reason names the criterion that separated it from the
runner-up.
"""

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple

from advisor import packaged
from advisor.yamlcache import load_packaged

ORDER = ("fail", "warn", "unknown", "pass")  # worst first
NOT_ASKED = "not-asked"


class Criterion(NamedTuple):
    """One named, weighted criterion of the pick and the checks it counts."""

    id: str
    label: str
    weight: int
    checks: tuple[str, ...]
    also: tuple[str, ...]
    pass_text: str
    why: str
    points: dict[str, int]  # per state: the file's `points`, with this criterion's own overrides


class Criteria(NamedTuple):
    """Every criterion of the pick (knowledge/pick_criteria.yaml), with its cases."""

    points: dict[str, int]
    items: tuple[Criterion, ...]
    cases: tuple[dict[str, Any], ...]


@lru_cache(maxsize=1)
def criteria() -> Criteria:
    data = load_packaged(packaged.folder("advisor.knowledge") / "pick_criteria.yaml").data
    items = tuple(
        Criterion(
            id=c["id"],
            label=c["label"],
            weight=int(c["weight"]),
            checks=tuple(c["checks"]),
            also=tuple(c.get("also") or ()),
            pass_text=c["pass"],
            why=" ".join(str(c["why"]).split()),
            points={**data["points"], **(c.get("points") or {})},
        )
        for c in data["criteria"]
    )
    return Criteria(dict(data["points"]), items, tuple(data.get("cases") or []))


@dataclass(eq=False)
class Score:
    """One candidate's standing: per criterion (state, points), total and what is unknown."""

    repo_id: str
    states: dict[str, str]  # criterion id -> worst state ("not-asked" when none applied)
    worst_check: dict[str, str]  # criterion id -> the rule id that set the state
    points: dict[str, int]  # criterion id -> points (absent when not asked)
    total: int
    out_of: int
    unknown: int  # unknown checks over every rule, not only the criteria's
    rank: int = 0
    tie_with: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "repo_id": self.repo_id,
            "rank": self.rank,
            "score": self.total,
            "out_of": self.out_of,
            "unknown_checks": self.unknown,
            "criteria": {
                cid: {"state": self.states[cid], "points": self.points.get(cid)}
                for cid in self.states
            },
            "tie_with": list(self.tie_with),
        }


def score(repo_id: str, states: dict[str, str]) -> Score:
    """Score one candidate from its check states (rule id -> pass|warn|fail|unknown|not-asked)."""
    spec = criteria()
    by_criterion: dict[str, str] = {}
    worst: dict[str, str] = {}
    points: dict[str, int] = {}
    for crit in spec.items:
        applied = [(states[r], r) for r in crit.checks if r in states and states[r] != NOT_ASKED]
        # A secondary check counts only when it flags something: its unknown is not the
        # criterion's (most configs do not say whether a sliding window is used).
        applied += [(states[r], r) for r in crit.also if states.get(r) in ("warn", "fail")]
        if not applied:
            by_criterion[crit.id] = NOT_ASKED
            continue
        state, rule = min(applied, key=lambda sr: ORDER.index(sr[0]))
        by_criterion[crit.id], worst[crit.id] = state, rule
        points[crit.id] = crit.weight * crit.points[state]
    out_of = sum(c.weight * spec.points["pass"] for c in spec.items if c.id in points)
    unknown = sum(1 for s in states.values() if s == "unknown")
    return Score(repo_id, by_criterion, worst, points, sum(points.values()), out_of, unknown)


def share(s: Score) -> Fraction:
    """The score as a share of what could be checked for this candidate.

    Candidates are checked on different criteria (a rule is not asked when the facts it needs
    are absent for one model and present for another), so raw totals are not comparable: 30 of
    30 is as good as 42 of 42.
    """
    return Fraction(s.total, s.out_of) if s.out_of else Fraction(1)


def rank(scores: list[Score]) -> list[Score]:
    """Best first: score share, then fewer unknowns, then the given order. Marks ties, ranks."""
    order = {s.repo_id: i for i, s in enumerate(scores)}
    key = {s.repo_id: (-share(s), s.unknown) for s in scores}
    ranked = sorted(scores, key=lambda s: (key[s.repo_id], order[s.repo_id]))
    # One pass over groups of equal keys: comparing every pair is quadratic in candidates.
    groups: dict[tuple, list[str]] = {}
    for s in ranked:
        groups.setdefault(key[s.repo_id], []).append(s.repo_id)
    for i, s in enumerate(ranked):
        s.rank = i + 1
        s.tie_with = [r for r in groups[key[s.repo_id]] if r != s.repo_id]
    return ranked


def decided_by(top: Score, runner: Score) -> str:
    """The criterion id that separates two candidates most ('known' or 'tie' when none does)."""
    gaps = [
        (top.points.get(c.id, 0) - runner.points.get(c.id, 0), -i, c.id)
        for i, c in enumerate(criteria().items)
        if top.states.get(c.id) != runner.states.get(c.id)
        and NOT_ASKED not in (top.states.get(c.id), runner.states.get(c.id))
    ]
    gaps = [g for g in gaps if g[0] > 0]  # a criterion only one of them was checked on
    if gaps:  # does not separate them; nor does one the runner-up is better on
        return max(gaps)[2]
    return "known" if top.unknown != runner.unknown else "tie"


def _state_text(s: Score, crit: Criterion, summaries: dict[str, str]) -> str:
    state = s.states[crit.id]
    if state == "pass":
        return crit.pass_text
    rule = s.worst_check[crit.id]
    if state == "unknown":
        return f"unknown ({rule} could not be checked)"
    return summaries.get(rule, rule).rstrip(".")


def reason(top: Score, runner: Score | None, summaries: dict[str, str]) -> str:
    """One sentence: why the pick beat the runner-up (or that nothing did, or it is a tie)."""
    if runner is None:
        return f"{top.repo_id} is the only candidate of the verdict's variant that passes."
    why = decided_by(top, runner)
    head = f"{top.repo_id} (score {top.total}/{top.out_of})"
    other = f"{runner.repo_id} ({runner.total}/{runner.out_of})"
    if why == "tie":
        return (
            f"Tie: {head} and {other} are equal on every criterion and on how much is known; "
            f"{top.repo_id} is listed first - compare both."
        )
    if why == "known":
        return (
            f"{head} ranks above {other} on how much is known: {top.unknown} unknown "
            f"check{'' if top.unknown == 1 else 's'} vs {runner.unknown}."
        )
    crit = next(c for c in criteria().items if c.id == why)
    theirs = _state_text(runner, crit, summaries)
    if theirs[1:2].islower():  # "A gated repo ..." reads on; "SFT on ..." keeps its capitals
        theirs = theirs[:1].lower() + theirs[1:]
    return (
        f"{head} ranks above {other} on {crit.label}: {_state_text(top, crit, summaries)}; "
        f"for the runner-up, {theirs}."
    )
