"""The one result of a run: everything any format shows, computed once by the engine.

`decide.recommend` fills a `Recommendation`; renderers (advisor/report/) read its JSON form
(`to_json()`, schema in report/schema.py) and never select, count, estimate or look anything up.
This module holds data only: no computing, no provider, no catalog.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from advisor import __version__

if TYPE_CHECKING:
    from advisor.engine.evaluate import RuleResult
    from advisor.facts import DatasetProfile, ModelFacts
    from advisor.spec import TaskSpec
    from advisor.understand import Understanding

SCHEMA_VERSION = 1
# A check's state: what the rule said about this candidate. not-asked: the spec gave no such
# constraint (e.g. no GPU), so the check does not apply; JSON v1 shows it as status "pass" with
# checked false.
STATES = ("pass", "warn", "fail", "unknown", "not-asked")


class Check(NamedTuple):
    """One fit / pitfall rule applied to one candidate."""

    result: "RuleResult"  # the evaluation, clause by clause (the trace)
    state: str  # one of STATES

    @property
    def rule_id(self) -> str:
        return self.result.rule.id

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "status": "pass" if self.state == "not-asked" else self.state,
            "message": self.result.message,
            "kind": self.result.rule.kind,
            "checked": self.state != "not-asked",
            "state": self.state,
        }


class MethodMemory(NamedTuple):
    """The memory one training method needs for one candidate (the one estimate of a run):
    per GPU, term by term (advisor.memory), and how it fits the GPU budget."""

    need_gb: float  # per GPU
    formula: str  # the terms with this candidate's numbers
    fits_gpu: bool | None  # None when no GPU budget was given
    verdict: str | None  # fits | tight | does not fit; None without a budget
    components: dict[str, float]  # GB per GPU per term
    total_gb: float | None  # over all GPUs
    partial: bool  # dimensions unknown: a lower bound
    largest_seq_len: int | None
    fix: str | None  # what would fit when this method does not
    settings: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """Every field but `settings` (the next steps read them; the schema has no such key)."""
        out = {**self._asdict(), "components": dict(self.components)}
        del out["settings"]
        return out


class Licence(NamedTuple):
    """A candidate's licence and what it allows (from the licence table)."""

    id: str | None
    name: str | None
    commercial_use: str | None
    allows: str
    conditions: list[str]
    source: str | None

    def to_json(self) -> dict[str, Any]:
        return {**self._asdict(), "conditions": list(self.conditions)}


# repr=False: a generated repr of thousands of checks is no use to read, and its code costs
# ~1 ms to generate at every start.
@dataclass(eq=False, repr=False)
class Candidate:
    """One candidate's facts, checks, memory per method and licence terms."""

    facts: "ModelFacts"
    checks: list[Check]
    pair: str  # the base repo id a base/instruct pair shares
    memory: dict[str, MethodMemory] | None = None  # per method; None: parameter count unknown
    licence: Licence | None = None
    counts: dict[str, int] = field(default_factory=dict)  # checks per state, every state listed
    recommended: bool = False
    why_not: str = ""

    @property
    def repo_id(self) -> str:
        return self.facts.repo_id

    def to_json(self) -> dict[str, Any]:
        facts, memory = self.facts, self.memory
        return {
            "repo_id": self.repo_id,
            "variant": facts.get("variant"),
            "family": facts.get("family"),
            "pair": self.pair,
            "recommended": self.recommended,
            "why_not": self.why_not or None,
            "facts": facts.facts_json(),
            "memory_gb": None if memory is None else {m: e.need_gb for m, e in memory.items()},
            "memory": None if memory is None else {m: e.to_json() for m, e in memory.items()},
            "licence": self.licence.to_json() if self.licence else None,
            "sources": list(facts.sources),
            "checks": [c.to_json() for c in self.checks],
            "error": ({"kind": facts.error_kind, "message": facts.error} if facts.error else None),
            "counts": dict(self.counts),
        }


NOTHING_UNDERSTOOD = (
    "Nothing in the description was recognised and the spec states nothing the decision uses: "
    "the verdict is only the default. Run `advisor ask`, or state task.kind, data.format, "
    "data.examples or training.own_alignment in the spec."
)


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))


@dataclass(eq=False, repr=False)  # repr=False: see Candidate
class Recommendation:
    """The verdict, its reasons, every candidate's fit, and the trace behind each of them."""

    spec: "TaskSpec"
    understanding: "Understanding"
    dataset: "DatasetProfile | None"
    variant: str  # base | instruct
    summary: str  # the verdict in one sentence
    confidence: str  # high | medium | low
    score: float
    close_call: bool
    votes: dict[str, dict[str, Any]]  # side -> {total, rules: [{id, weight, message}]}
    reasons: list[str]  # the rule ids that carried the verdict, strongest first
    exceptions: list[str]  # the exceptions that fired
    exceptions_considered: list[dict[str, Any]]
    alignment_tax: dict[str, Any]  # level, points, reasons, cost
    task_trace: "list[RuleResult]"
    candidates: list[Candidate]
    undecided: list[str] = field(default_factory=list)  # decision rules left unknown
    repo: str | None = None  # the pick
    # The pick's ranking (engine/pick.py): per recommended candidate its score by criterion,
    # best first; the one sentence saying why the pick beat the runner-up (or that it is a tie,
    # or that nothing of the verdict's variant passes); the closest candidate in that case.
    ranking: list[dict[str, Any]] = field(default_factory=list)
    pick_reason: str | None = None
    closest: str | None = None
    pick_notes: list[dict[str, str]] = field(default_factory=list)  # pitfalls + flags of the pick
    shortlist: list[str] = field(default_factory=list)  # the candidates a short page shows
    warnings: list[dict[str, Any]] = field(default_factory=list)  # distinct warn/fail, once each
    licences: list[dict[str, Any]] = field(default_factory=list)  # distinct licence conditions
    next_steps: list[str] = field(default_factory=list)
    missing_facts: list[dict[str, Any]] = field(default_factory=list)
    memory_model: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> kind, name, summary
    data_notes: list[str] = field(default_factory=list)  # spec vs training file disagreements
    # Each user-side fact: value and origin (given | measured | inferred + words | default |
    # not asked); see context.user_facts.
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    nothing_understood: bool = False  # the text said nothing the rules use, nor did the spec
    what_would_change: list[dict[str, Any]] = field(default_factory=list)  # engine/whatif.py

    def candidate(self, repo_id: str | None) -> Candidate | None:
        return next((c for c in self.candidates if c.repo_id == repo_id), None)

    def no_facts_read(self) -> bool:
        """Every candidate's facts failed to load (offline and not cached, say)."""
        return bool(self.candidates) and all(c.facts.error for c in self.candidates)

    def to_json(self) -> dict[str, Any]:
        """The JSON form (schema_version 1): the contract every format renders from."""
        return {
            "schema_version": SCHEMA_VERSION,
            "advisor_version": __version__,
            "task": {
                "spec": self.spec.model_dump(mode="json"),
                "understanding": self.understanding.to_json(),
                "facts": _jsonable(self.facts),
                "understood": not self.nothing_understood,
                "hint": NOTHING_UNDERSTOOD if self.nothing_understood else None,
            },
            "dataset": (
                {**self.dataset.to_json(), "disagreements": self.data_notes}
                if self.dataset
                else None
            ),
            "decision": {
                "variant": self.variant,
                "summary": self.summary,
                "confidence": self.confidence,
                "score": self.score,
                "close_call": self.close_call,
                "repo": self.repo,
                "exceptions": self.exceptions,
                "exceptions_considered": self.exceptions_considered,
                "alignment_tax": self.alignment_tax,
                "votes": self.votes,
                "undecided": self.undecided,
                "what_would_change": _jsonable(self.what_would_change),
                "reasons": self.reasons,
                "pick_notes": self.pick_notes,
                "pick_reason": self.pick_reason,
                "ranking": self.ranking,
                "closest": self.closest,
            },
            "candidates": [c.to_json() for c in self.candidates],
            "memory_model": self.memory_model,
            "rules": self.rules,
            "next_steps": self.next_steps,
            "trace": [r.to_json() for r in self.task_trace]
            + [ch.result.to_json() for c in self.candidates for ch in c.checks],
            "missing_facts": self.missing_facts,
            "shortlist": self.shortlist,
            "warnings": self.warnings,
            "licences": self.licences,
        }
