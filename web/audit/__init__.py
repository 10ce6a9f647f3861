"""The audit trail viewer (read-only) with the hash chain status."""
