"""A command used wrongly says what is wrong in one line of the user's language and exits 2
(before: Click's English usage block, even with --lang fr)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aml_screen.cli import main


@pytest.mark.parametrize(("args", "says"), [
    (["screen", "{tmp}", "--out", "{tmp}/out"], "{tmp} est un dossier, pas un fichier"),
    (["screen"], "BATCHES manque"),
    (["screen", "b.csv", "--bogus"], "l'option --bogus n'existe pas"),
    (["screen", "b.csv", "--out", "o", "--threshold", "haut"],
     "--threshold : haut n'est pas un nombre"),
    (["screen", "b.csv", "--out", "o", "--engine", "hadoop"],
     "hadoop ne fait pas partie de embedded, spark"),
    (["retention", "purge", "--apply", "tout"], "argument(s) en trop : tout"),
    (["watchlists", "diff"], "OLD manque"),
])
def test_usage_errors_are_one_line_in_french(tmp_path: Path, args: list[str],
                                             says: str) -> None:
    result = CliRunner().invoke(main, ["--lang", "fr", *(a.format(tmp=tmp_path) for a in args)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert says.format(tmp=tmp_path) in lines[0]
    assert "Usage:" not in result.output
