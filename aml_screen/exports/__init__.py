"""Hit and alert reports for auditors: CSV, XLSX and PDF, streamed from the store.

``filters`` reads what to export, ``rows`` queries it in chunks (never the whole result in
memory), ``cells`` turns values into spreadsheet-safe cells, one writer module per format,
and ``service`` runs an export end to end with its audit event."""
