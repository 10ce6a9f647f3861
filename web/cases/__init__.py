"""Cases and their seizure evidence packages."""
