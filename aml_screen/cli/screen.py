"""``aml-screen screen``: screen batch files against watchlists and write the results."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import language, t
from aml_screen.cli.options import load_lists, threshold_option
from aml_screen.cli.report import print_alerts, print_summary
from aml_screen.errors import ConfigError
from aml_screen.ingest import load_mapping
from aml_screen.ingest.dates import plausible_range
from aml_screen.ingest.formats import FORMAT_NAMES
from aml_screen.ingest.limits import input_limits
from aml_screen.outputs import FORMATS, write_outputs
from aml_screen.pipeline import ScreeningRun, run_screening
from aml_screen.progress import NoProgress, RichProgress
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.spark.session import DEFAULT_MASTER, require_pyspark, spark_session
from aml_screen.watchlists.loader import Watchlist

if TYPE_CHECKING:
    from aml_screen.spark.runner import SparkRun

ENGINES = ("embedded", "spark")


@click.command("screen")
@click.argument("batches", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--watchlist", "watchlists", multiple=True, metavar="SRC",
              help="List file/folder or source name from sources.yaml (repeatable). "
                   "Fichier de liste ou nom de source (répétable).")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Output folder / dossier de sortie.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet",
              show_default=True, help="Hits file format / format du fichier des correspondances.")
@click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="YAML column mapping for the bank's export / correspondance des colonnes.")
@click.option("--input-format", type=click.Choice(("auto", *FORMAT_NAMES)), default="auto",
              show_default=True,
              help="Batch format; auto: detected from each file's content. "
                   "Format des lots ; auto : reconnu d'après le contenu de chaque fichier.")
@threshold_option
@click.option("--timezone", default=None,
              help="Zone of times without offset, e.g. Africa/Niamey / fuseau horaire.")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Rules folder (default: settings rules_dir when it holds rule files). "
                   "Dossier des règles (par défaut : rules_dir de la configuration).")
@click.option("--no-rules", is_flag=True, default=False,
              help="Screen names only, without behavioural rules / sans règles.")
@click.option("--progress/--no-progress", default=True, show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default="embedded", show_default=True,
              help="embedded: this machine; spark: an Apache Spark cluster (pip install "
                   "aml-screen[spark]). Moteur : cette machine ou un cluster Spark.")
@click.option("--spark-master", default=DEFAULT_MASTER, show_default=True,
              help="Spark master URL (--engine spark) / URL du maître Spark.")
@pass_context
def screen_command(obj: Context, batches: tuple[Path, ...], watchlists: tuple[str, ...],
                   out_dir: Path, fmt: str, mapping: Path | None, input_format: str,
                   threshold: float | None,
                   timezone: str | None, rules_dir: Path | None, no_rules: bool,
                   progress: bool, engine: str, spark_master: str) -> None:
    """Screen transaction batches against watchlists.

    Filtre des lots de transactions contre les listes de surveillance.
    """
    settings = obj.settings
    console = Console(stderr=True)
    column_mapping = load_mapping(mapping) if mapping else None
    cutoff = threshold if threshold is not None else settings.match_threshold
    lists = load_lists(watchlists, settings)
    chosen_rules = None if no_rules else configured_rules(settings, rules_dir)
    run: ScreeningRun | SparkRun
    if engine == "spark" and input_format != "auto":
        raise ConfigError("screen.input_format_spark", format=input_format)
    if engine == "spark":
        run = _spark_run(batches, lists, spark_master, threshold=cutoff,
                         timezone=timezone or settings.timezone, date_order=settings.date_order,
                         mapping=column_mapping, rules_dir=chosen_rules,
                         rule_parameters=parameters_override(settings),
                         plausible=plausible_range(settings.plausible_from,
                                                   settings.plausible_to),
                         language=settings.language, limits=input_limits(settings))
    else:
        bars = RichProgress(language(), console) if progress else None
        with bars.running() if bars else nullcontext():
            run = run_screening(list(batches), lists, threshold=cutoff,
                                timezone=timezone or settings.timezone,
                                date_order=settings.date_order, mapping=column_mapping,
                                plausible=plausible_range(settings.plausible_from,
                                                          settings.plausible_to),
                                progress=bars or NoProgress(), rules_dir=chosen_rules,
                                rule_parameters=parameters_override(settings),
                                match_memory_mib=settings.match_memory_mib,
                                input_format=input_format, language=settings.language,
                                limits=input_limits(settings))
    paths = write_outputs(out_dir, run.tables, run.quarantine, run.summary, fmt)
    out = Console()
    print_summary(out, run.summary, run.hits)
    print_alerts(out, run.alerts)
    if run.summary["rows_quarantined"]:
        out.print(t("summary.quarantine_note", count=run.summary["rows_quarantined"],
                    path=paths["quarantine"]))
    out.print(t("summary.outputs", path=out_dir))


def _spark_run(batches: tuple[Path, ...], lists: list[Watchlist], master: str,
               **arguments: Any) -> SparkRun:
    """The run on Spark; pyspark is imported only here, so the core install works without."""
    require_pyspark()
    from aml_screen.spark.runner import run_spark_screening

    return run_spark_screening(spark_session(master), [str(b) for b in batches], lists,
                               **arguments)


def register(main: click.Group) -> None:
    main.add_command(screen_command)
