"""Fakes at the network boundary, shared by the tests and the benchmark scripts."""
