"""`advisor catalog refresh`: re-read catalogued repos from the Hub, keeping provenance.

Facts the Hub answers replace the catalog's, each marked with the Hub source, the commit it
was read at and the date; facts the Hub does not answer keep their original sources. A repo
that fails (gated, missing, rate limited) keeps its old entry and is reported.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from advisor.errors import UserError
from advisor.facts import SOURCE_CATALOG, SOURCE_DERIVED
from advisor.output import write_atomic


@dataclass
class RefreshResult:
    """What `advisor catalog refresh` wrote, and what it could not refresh."""

    output: Path
    updated: dict[str, int] = field(default_factory=dict)  # repo -> facts refreshed
    failed: dict[str, str] = field(default_factory=dict)  # repo -> one-line reason


def refresh_catalog(
    repo_ids: list[str] | None = None, *, output: Path | None = None, offline: bool = False
) -> RefreshResult:
    from advisor.sources import catalog
    from advisor.sources.catalog_file import read_catalog
    from advisor.sources.hub import env_offline
    from advisor.sources.resolve import fetch_models

    if offline or env_offline():
        raise UserError(
            "catalog refresh needs the Hub and this run is offline",
            hint="drop --offline / unset HF_HUB_OFFLINE",
        )
    source_path = catalog.catalog_path()
    output = output or source_path
    data = read_catalog(source_path)
    entries = {entry["repo_id"].lower(): entry for entry in data["models"]}
    wanted = repo_ids or [entry["repo_id"] for entry in data["models"]]
    if unknown := [r for r in wanted if r.lower() not in entries]:
        raise UserError(
            f"not in the catalog: {', '.join(unknown)}",
            hint="refresh updates catalogued repos; use `advisor inspect` for others",
        )
    today = dt.date.today().isoformat()
    result = RefreshResult(output)
    fetched = fetch_models(wanted, source="hub", refresh=True, include_siblings=False)
    for facts in fetched:
        entry = entries[facts.repo_id.lower()]
        if facts.error:
            result.failed[facts.repo_id] = facts.error
            continue
        count = 0
        for name, fact in facts.facts.items():
            if fact.source in (SOURCE_CATALOG, SOURCE_DERIVED) or name == "repo_id":
                continue  # derived facts are derived again at lookup
            entry["facts"][name] = {
                "value": fact.value,
                "detail": f"{fact.source}, refreshed {today}"
                + (f": {fact.detail}" if fact.detail else ""),
            }
            count += 1
        entry["refreshed"] = today
        result.updated[facts.repo_id] = count
    data["refreshed"] = today
    write_atomic(output, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return result


def summary(result: RefreshResult) -> str:
    lines = [f"refreshed {len(result.updated)} repos into {result.output}"]
    lines += [f"  {repo}: {n} facts from the Hub" for repo, n in result.updated.items()]
    lines += [f"  {repo}: kept the old entry ({why})" for repo, why in result.failed.items()]
    return "\n".join(lines) + "\n"
