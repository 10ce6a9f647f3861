"""Subjects across batches: search over the whole store and one subject's profile."""
