"""The parse cache of advisor's own YAML: reused only when it is the same text, intact, and for
the shipped files; a stale, damaged or edited cache is never what a run uses."""

from __future__ import annotations

import marshal
import os
import shutil
from pathlib import Path

import pytest

from advisor import regexcache, yamlcache
from advisor.engine import loader
from advisor.errors import UserError
from advisor.usercache import write_sealed

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "support-tickets.yaml"
TEXT = "id: demo\nitems:\n  - one\n  - two\n"


pytestmark = pytest.mark.usefixtures("user_cache")  # conftest: a cache folder of their own


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(TEXT, "utf-8")
    return path


def cached_entries() -> dict:
    return yamlcache._store.entries()


def test_a_second_run_reuses_the_parse_of_the_same_file(demo: Path) -> None:
    first = yamlcache.load_packaged(demo)
    yamlcache.flush()
    assert str(demo) in cached_entries()
    yamlcache.reset()  # a new run
    again = yamlcache.load_packaged(demo)
    assert isinstance(again, yamlcache._CachedYaml)
    assert again.data == first.data == {"id": "demo", "items": ["one", "two"]}
    # Where a value stood is still known (for error messages), from the file itself.
    assert again.where(("items", 1)) == f"{demo}:4: items[1]"


def test_a_changed_file_is_parsed_again(demo: Path) -> None:
    yamlcache.load_packaged(demo)
    yamlcache.flush()
    yamlcache.reset()
    demo.write_text(TEXT.replace("two", "three"), "utf-8")
    changed = yamlcache.load_packaged(demo)
    assert not isinstance(changed, yamlcache._CachedYaml)
    assert changed.data["items"] == ["one", "three"]


def test_an_edit_of_the_same_size_is_seen_by_its_modification_time(demo: Path) -> None:
    yamlcache.load_packaged(demo)
    yamlcache.flush()
    yamlcache.reset()
    before = os.stat(demo).st_mtime_ns
    demo.write_text(TEXT.replace("two", "owt"), "utf-8")
    os.utime(demo, ns=(before + 1_000, before + 1_000))  # even 1 microsecond later
    assert yamlcache.load_packaged(demo).data["items"] == ["one", "owt"]


def test_an_edited_cache_file_is_ignored_and_rewritten(demo: Path) -> None:
    yamlcache.load_packaged(demo)
    yamlcache.flush()
    path = yamlcache.cache_file()
    path.write_bytes(path.read_bytes().replace(b"two", b"owt"))
    yamlcache.reset()
    loaded = yamlcache.load_packaged(demo)
    assert loaded.data["items"] == ["one", "two"]
    yamlcache.flush()
    assert cached_entries()[str(demo)]["data"]["items"] == ["one", "two"]


@pytest.mark.parametrize("damage", [b"", b"not json\n{}", b'{"format": 1}', b"\x00\xff garbage"])
def test_a_corrupt_cache_file_is_ignored(damage: bytes, demo: Path) -> None:
    path = yamlcache.cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    assert yamlcache.load_packaged(demo).data["id"] == "demo"
    yamlcache.flush()
    assert str(demo) in cached_entries()


def test_integer_keys_come_back_as_integers(tmp_path: Path) -> None:
    """normalise.yaml maps word lengths to distances ({4: 1, 8: 2}): once JSON turned its keys
    into strings, so it was parsed again on every run."""
    path = tmp_path / "normalise.yaml"
    path.write_text("max_distance: {4: 1, 8: 2}\n", "utf-8")
    yamlcache.load_packaged(path)
    yamlcache.flush()
    yamlcache.reset()
    again = yamlcache.load_packaged(path)
    assert isinstance(again, yamlcache._CachedYaml)
    assert again.data == {"max_distance": {4: 1, 8: 2}}


def test_every_packaged_file_is_served_from_the_cache_on_the_second_run(cli, user_cache) -> None:
    env = {"ADVISOR_CACHE_DIR": str(user_cache)}
    cli("recommend", str(EXAMPLE), "--format", "json", env=env)
    origins = set(cached_entries())
    for name in ("normalise.yaml", "negation.yaml", "lexicon.yaml", "task_patterns.yaml"):
        assert any(o.endswith(name) for o in origins), name


def test_a_planted_rule_that_fails_validation_is_not_used(tmp_path: Path) -> None:
    """Even with a correct checksum, cached data goes through the rule validation; data that
    fails it sends the loader back to the file."""
    rules = {r.id: r for r in loader.load_rules()}
    yamlcache.flush()
    entries = cached_entries()
    origin = next(o for o in entries if o.endswith("own-alignment.yaml"))
    entries[origin]["data"]["when"] = {"fact": "model.no_such_fact", "op": "exists"}
    write_sealed(yamlcache.cache_file(), yamlcache._store.stamp, marshal.dumps(entries))
    yamlcache.reset()
    again = {r.id: r for r in loader.load_rules()}
    assert again["own-alignment"].when == rules["own-alignment"].when


def test_a_user_rule_folder_is_always_read_from_source(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    source = next(loader.builtin_rules_dir().glob("gated-repo.yaml"))
    mine = folder / "my-gated.yaml"
    mine.write_text(source.read_text("utf-8").replace("id: gated-repo", "id: my-gated"), "utf-8")
    loader.load_rules([folder])
    yamlcache.flush()
    assert not any(str(folder) in origin for origin in cached_entries())
    # An edit shows at once, with the usual one-line error.
    mine.write_text(mine.read_text("utf-8").replace("kind: pitfall", "kind: pitfal"), "utf-8")
    with pytest.raises(UserError, match=r"my-gated.yaml:\d+: kind: unknown kind 'pitfal'"):
        loader.load_rules([folder])


def test_the_report_is_the_same_with_a_cold_and_a_warm_cache(cli, user_cache: Path) -> None:
    env = {"ADVISOR_CACHE_DIR": str(user_cache)}
    args = ("recommend", str(EXAMPLE), "--format", "json")
    cold = cli(*args, env=env)
    # The CLI ends without the interpreter's teardown; its exit handlers still write both caches.
    assert yamlcache.cache_file().exists()
    assert regexcache.cache_file().exists()
    warm = cli(*args, env=env)
    assert cold.returncode == warm.returncode == 0
    assert cold.stdout == warm.stdout
    shutil.rmtree(user_cache)
