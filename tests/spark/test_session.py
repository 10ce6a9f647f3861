"""Without pyspark the Spark engine stops with one clear line, in the user's language."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aml_screen.cli import main
from tests.store.samples import REPO, SAMPLE

CONFIG = REPO / "aml-screen.toml"


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "the Spark engine needs pyspark: pip install aml-screen[spark]"),
    ("fr", "le moteur Spark nécessite pyspark : pip install aml-screen[spark]"),
])
def test_spark_engine_without_pyspark_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: str, expected: str) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # what an install without it gives
    result = CliRunner().invoke(main, ["--config", str(CONFIG), "--lang", lang, "screen",
                                       str(SAMPLE), "--out", str(tmp_path), "--engine",
                                       "spark"])
    assert result.exit_code == 2
    assert expected in result.stderr
