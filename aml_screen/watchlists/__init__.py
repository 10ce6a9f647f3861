"""Official list formats parsed into one list-entry frame (see ``schema.LIST_ENTRY_SCHEMA``)."""
