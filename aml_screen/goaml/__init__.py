"""goAML STR export: a case marked suspicious becomes a goAML report (``report_code`` STR),
the XML format FIUs exchange. ``model`` holds the report as plain data, ``xml`` turns it into
bytes (pure), ``case`` gathers it from the store and audits the export."""
