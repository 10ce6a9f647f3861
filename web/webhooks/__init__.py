"""Webhooks (under the admin area): the endpoints an admin registers and their deliveries."""
