"""Benchmarks and offline evaluations (not shipped in the package)."""
