"""The console scripts `advisor` and `hf-advisor`, and `python -m advisor`.

Each turns off cyclic garbage collection before anything else is imported, for the rest of the
run. A run is one short process that allocates mostly objects it keeps to the end (modules,
rules, the catalog, the report) and almost no reference cycles: the collector's passes over
that growing heap, the imports of click and pydantic included, free nothing. Reference counting
still frees everything else at once, a training file is profiled row by row, and every input is
capped, so memory stays bounded (bench/bench_dataset.py and bench/bench_hub.py print peak RSS).
"""

import gc


def main() -> None:
    gc.disable()
    from advisor.cli import main as run

    run()


def hf_main() -> None:
    gc.disable()
    from advisor.cli import hf_main as run

    run()


if __name__ == "__main__":
    main()
