"""goAML STR download of a case closed as suspicious."""
