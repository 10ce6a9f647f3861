"""Row ids on the command line past what the columns hold: one line and exit 2, never a
database error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.store_cli import run_on_store

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("args", [
    ("goaml", HUGE, "--out", "{out}", "--user", "root"),
    ("replay", HUGE),
    ("rescreen", HUGE),
    ("export", "hits", "--out", "{out}", "--batch", HUGE),
])
def test_an_id_past_the_columns_is_refused(url: str, tmp_path: Path,
                                           args: tuple[str, ...]) -> None:
    out = str(tmp_path / "out.file")
    code, stdout, stderr = run_on_store(url, *(a.format(out=out) for a in args))
    assert code == 2, stdout + stderr
    assert HUGE in stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert not Path(out).exists()
