"""Running ``aml-screen`` on a test store, as an operator would at the server."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from aml_screen.cli import main

CONFIG = Path(__file__).resolve().parents[2] / "aml-screen.toml"


def run_on_store(url: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``aml-screen ARGS`` with the store at ``url``."""
    result = CliRunner().invoke(main, ["--config", str(CONFIG), *args], input=stdin,
                                env={"AML_SCREEN_DATABASE_URL": url})
    return result.exit_code, result.stdout, result.stderr
