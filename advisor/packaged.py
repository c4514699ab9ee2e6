"""advisor's own data files (knowledge, catalog, rules), found without importlib.resources.

importlib.resources costs ~5 ms of imports (zipfile, tempfile, its readers) in a cold run that
has ~60 ms of its own work in all. advisor installs as plain folders (never zipped), so a data
package's folder is where the import system's spec says it is; that also follows setup.cfg's
package_dir mapping (advisor.rules = rules/) in an editable install.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


@cache
def folder(package: str) -> Path:
    """The folder of a data package, e.g. folder('advisor.knowledge')."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"advisor's data package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def read_text(package: str, name: str) -> str:
    return (folder(package) / name).read_text("utf-8")
