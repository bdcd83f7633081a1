"""Benchmarks for clusterprint: `python -m bench` writes bench/RESULTS.md."""
