"""API tokens page: a user's own tokens (all of them for an admin)."""
