"""Benchmarks and the data generators they use; run with `make bench`."""
