"""The CLI's progress bars: left on screen when the work ends, taken off when it fails, so
that a one-line error is not preceded by a half-done bar."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from aml_screen.i18n import translate
from aml_screen.progress import RichProgress

ERASE_LINE = "\x1b[2K"


def _run(screen: io.StringIO, fail: bool, lang: str = "en") -> None:
    bars = RichProgress(lang, Console(file=screen, force_terminal=True, width=80))
    with bars.running():
        advance = bars.stage("screen.stage.read", 10, file="batch.csv")
        advance(5)
        if fail:
            raise ValueError("unreadable")


def test_a_finished_run_leaves_its_bars() -> None:
    screen = io.StringIO()
    _run(screen, fail=False)
    assert "5/10" in screen.getvalue()
    assert not screen.getvalue().endswith(ERASE_LINE)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_stage_is_labelled_in_the_language_of_the_run(lang: str) -> None:
    screen = io.StringIO()
    _run(screen, fail=False, lang=lang)
    assert translate("screen.stage.read", lang, file="batch.csv") in screen.getvalue()


def test_a_failed_run_takes_its_bars_off_the_screen() -> None:
    screen = io.StringIO()
    with pytest.raises(ValueError, match="unreadable"):
        _run(screen, fail=True)
    assert screen.getvalue().endswith(ERASE_LINE)
