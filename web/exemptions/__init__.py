"""Exemptions: remembered false positives, proposed from an alert and decided four-eyes."""
