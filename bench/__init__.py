"""Benchmarks: run by hand, they print figures (not part of the test suite)."""
