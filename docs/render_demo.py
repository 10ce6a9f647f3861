"""Render the README's terminal picture of the demo (docs/demo-screen.svg).

Runs the same screening as ``make demo`` and draws the summary the CLI prints, with rich's
SVG export. Run from the repository root: ``.venv/bin/python docs/render_demo.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from aml_screen.cli.report import print_alerts, print_summary
from aml_screen.pipeline import run_screening
from aml_screen.rules.configured import parameters_override
from aml_screen.settings import load_settings
from aml_screen.watchlists.loader import load_watchlists

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    settings = load_settings(config_file=ROOT / "aml-screen.toml")
    lists = load_watchlists(settings.default_watchlists, settings)
    run = run_screening([ROOT / "aml_screen/samples/sample_batch.csv"], lists,
                        threshold=settings.match_threshold, timezone=settings.timezone,
                        rules_dir=settings.rules_dir,
                        rule_parameters=parameters_override(settings))
    console = Console(record=True, width=118, force_terminal=True, file=io.StringIO())
    console.print("$ aml-screen screen aml_screen/samples/sample_batch.csv --out out/demo",
                  style="bold")
    print_summary(console, run.summary, run.hits)
    print_alerts(console, run.alerts)
    console.save_svg(str(ROOT / "docs" / "demo-screen.svg"), title="aml-screen — make demo")


if __name__ == "__main__":
    main()
