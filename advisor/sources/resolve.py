"""The one entry point to model metadata: which provider answers for which candidate.

`source="auto"` decides per candidate, in this order:
1. an existing path (or one starting with ./ / ~)  -> the local folder (HF cache layout too);
2. a repo id in the embedded catalog, unless `refresh` -> the catalog (sourced, no network);
3. offline (`offline=True` or HF_HUB_OFFLINE)       -> the advisor's cache of earlier Hub
   answers (even past their TTL), else the repo's snapshot in the HF cache if it was
   downloaded, else an 'offline' error on that candidate only;
4. otherwise                                       -> the Hub (cached answers first, unless
   `refresh`).
`catalog`, `hub` and `local` force one provider. A candidate the provider cannot answer gets
error_kind / error set; only bad input (a path that is not a model folder) raises UserError.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from advisor.errors import UserError
from advisor.facts import ModelFacts, family, variant
from advisor.facts.derive import complete
from advisor.repoid import is_hub_repo_id, repo_of_page_url
from advisor.sources import SOURCES, catalog

# The Hub and local providers (and the answer cache) are imported where a candidate needs them:
# a run answered by the catalog alone never loads them (~2 ms of a cold start). An AnswerCache
# is only a folder and a TTL, so hub.fetch makes its own, and so does the check below.


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise UserError(f"unknown source '{source}'", hint=f"use one of {', '.join(SOURCES)}")


def _is_path(target: str) -> bool:
    return target.startswith(("./", "../", "/", "~", ".")) or Path(target).expanduser().exists()


def fetch_one(
    target: str,
    *,
    source: str = "auto",
    offline: bool = False,
    refresh: bool = False,
    children: bool = True,
    all_files: bool = False,
) -> ModelFacts:
    """Facts of one candidate from the provider `source` selects (see the module doc), with the
    facts that follow from them (derive.complete: here, once, whichever provider answered)."""
    _check_source(source)
    target = repo_of_page_url(target) or target  # a pasted model page address
    provider = _provider(target, source, refresh)
    if provider != "local" and not is_hub_repo_id(target):
        # Before any request: a URL, a path or spaces would be sent to the Hub as a repo name.
        shown = target if len(target) <= 80 else target[:77] + "..."
        raise UserError(
            f"{shown!r} is not a Hub repo id",
            hint="give org/name (e.g. Qwen/Qwen2.5-7B), or a model folder starting with ./ or /",
        )
    if provider == "local":
        from advisor.sources import local

        facts = local.lookup(target)
    elif provider == "catalog":
        facts = catalog.lookup_or_unknown(target)
    else:
        from advisor.sources import hub

        options = hub.FetchOptions(
            offline=offline, refresh=refresh, children=children, all_files=all_files
        )
        facts = hub.fetch(target, options)
        if source == "auto" and (offline or hub.env_offline()) and facts.error_kind == "offline":
            from advisor.sources import local  # the repo's snapshot in the HF cache, if any

            with contextlib.suppress(UserError):  # none: lookup refuses, the error stays
                facts = local.lookup(target)
    return complete(facts)


def _provider(target: str, source: str, refresh: bool) -> str:
    """local, catalog or hub: which provider `source` gives a target (see the module doc)."""
    if source == "local" or (source == "auto" and _is_path(target)):
        return "local"
    if source == "catalog" or (source == "auto" and not refresh and catalog.entry(target)):
        return "catalog"
    return "hub"


def sibling_of(facts: ModelFacts) -> str | None:
    """The other variant of a candidate: a base's instruct child, an instruct's base.

    Only a well-formed Hub repo id: the name comes from untrusted metadata (a model card's
    base_model), and a path there ('../../etc') must never be read as a local folder.
    """
    if facts.error_kind and not facts.facts:
        return None
    if catalog.entry(facts.repo_id) is not None and facts.get("repo_id") == facts.repo_id:
        found = catalog.sibling(facts)
    else:
        base = facts.get("base_model")
        known = catalog.variant_of(base) if isinstance(base, str) else None
        found = family.sibling_id(facts, known or (variant.name_verdict(base) if base else None))
    return found if is_hub_repo_id(found) else None


def fetch_models(
    repo_ids: list[str],
    *,
    source: str = "auto",
    offline: bool = False,
    refresh: bool = False,
    include_siblings: bool = True,
) -> list[ModelFacts]:
    """Facts for every candidate, in input order, each one's new sibling right after it.

    Fetched concurrently (a bounded thread pool); a progress bar goes to stderr when it is a
    terminal. Per-candidate problems are in error_kind / error.
    """
    _check_source(source)
    unique = list(dict.fromkeys(repo_ids))
    bar = _Progress(len(unique))

    def fetch_all(targets: list[str], source: str, children: bool) -> list[ModelFacts]:
        def one(target: str) -> ModelFacts:
            try:
                return fetch_one(
                    target, source=source, offline=offline, refresh=refresh, children=children
                )
            finally:
                bar.step(target)

        def waits(target: str) -> bool:
            # Only a Hub request waits: not a catalog, local or offline answer, nor one the
            # answer cache holds fresh (100 of those read inline beat 100 threads on the GIL).
            if _provider(target, source, refresh) != "hub" or offline:
                return False
            from advisor.sources import hub
            from advisor.sources.cache import AnswerCache

            return not hub.env_offline() and (refresh or not AnswerCache().fresh(target))

        return _map(one, targets, waits)

    results = fetch_all(unique, source, include_siblings)
    if not include_siblings:
        bar.done()
        return results
    seen = {r.repo_id.lower() for r in results} | {t.lower() for t in unique}
    wanted: list[tuple[int, str]] = []
    for index, facts in enumerate(results):
        sibling = sibling_of(facts)
        if sibling and sibling.lower() not in seen:
            seen.add(sibling.lower())
            wanted.append((index, sibling))
    bar.total += len(wanted)
    # A sibling may be uncatalogued even when its repo is catalogued: auto decides again.
    sibling_source = "auto" if source in ("auto", "local") else source
    siblings = fetch_all([s for _, s in wanted], sibling_source, False)
    bar.done()
    # Each right after its candidate: inserted from the last, so earlier indexes still hold.
    for (index, _), facts in reversed(list(zip(wanted, siblings, strict=True))):
        results.insert(index + 1, facts)
    return results


def inspect_model(
    target: str, *, source: str = "auto", offline: bool = False, refresh: bool = False
) -> ModelFacts:
    """Every fact of one model for `advisor inspect` (all small files, siblings named)."""
    return fetch_one(target, source=source, offline=offline, refresh=refresh, all_files=True)


def _map(
    fn: Callable[[str], ModelFacts], items: list[str], waits: Callable[[str], bool]
) -> list[ModelFacts]:
    """fn over items in order; only those that may wait on the network go to a thread pool
    (catalogued and local candidates are answered at once: no pool, no thread start-up, and
    concurrent.futures is never imported on a catalog-only run)."""
    remote = {i: item for i, item in enumerate(items) if waits(item)}
    done: dict[int, ModelFacts] = {}
    if len(remote) > 1:
        from concurrent.futures import ThreadPoolExecutor

        from advisor.sources.hub_http import MAX_IN_FLIGHT  # 100 candidates: one wave

        with ThreadPoolExecutor(max_workers=min(MAX_IN_FLIGHT, len(remote))) as pool:
            futures = {i: pool.submit(fn, item) for i, item in remote.items()}
            done = {i: future.result() for i, future in futures.items()}
    return [done[i] if i in done else fn(item) for i, item in enumerate(items)]


class _Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total, self.count = total, 0
        self._lock = threading.Lock()
        self.enabled = sys.stderr.isatty() and total > 1

    def step(self, label: str) -> None:
        with self._lock:
            self.count += 1
            if self.enabled:
                filled = 24 * self.count // max(self.total, 1)
                bar = ("#" * filled).ljust(24, ".")  # 24 wide
                # A local folder's path may hold control characters: never sent raw.
                shown = "".join(ch if ch.isprintable() else "?" for ch in label[:40])
                line = f"\rfetching [{bar}] {self.count}/{self.total} {shown}"
                sys.stderr.write(line.ljust(90))
                sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 90 + "\r")
            sys.stderr.flush()
