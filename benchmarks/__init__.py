"""Performance benchmarks: synthetic vaults (`generate`) and the side-by-side figures (`run`).

    .venv/bin/python -m benchmarks.run --sizes 1000,10000        # make bench
    .venv/bin/python -m benchmarks.run --sizes 1000,10000,100000 # make bench-big

Method and results: docs/performance.md.
"""
