"""Server-side SVG charts: data in, escaped SVG markup (``Markup``) out.

No script and no inline style: colours are presentation attributes, sizes come from
``charts.css``, so the pictures pass the strict Content-Security-Policy and work offline.
Every chart carries a ``<title>`` and ``<desc>`` for screen readers; pages pair each chart
with a table holding the same figures."""
