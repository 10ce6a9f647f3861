"""Benchmark tooling: a synthetic Sahel transaction batch generator and an end-to-end bench."""
