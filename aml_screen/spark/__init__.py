"""aml-screen on Apache Spark: the embedded engine's functions applied per partition with
``mapInArrow`` (DataFrame APIs only, so Spark Connect runs it too). Needs the ``spark``
extra: ``pip install aml-screen[spark]``."""
