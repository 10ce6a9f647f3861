"""The five roles of the web interface, in order of the menu: here, not in the store, so that
the settings can check ``require_2fa_for`` without importing the database layer."""

ROLES = ("analyst", "investigator", "supervisor", "auditor", "admin")
