"""``aml-screen rules``: check a rules folder, run its examples, backtest a changed rule set.

    aml-screen rules validate [DIR]        every problem, with file, rule and field; exit 2
    aml-screen rules test [DIR]            each rule's examples; exit 1 if one fails
    aml-screen rules backtest --rules DIR BATCH...   alerts added/removed per rule
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click
import polars as pl
from rich.console import Console
from rich.table import Table

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import language, t
from aml_screen.ingest import read_batch
from aml_screen.ingest.limits import input_limits
from aml_screen.rules import RuleError, RuleSet, evaluate_rules, load_rules
from aml_screen.rules.configured import parameters_override
from aml_screen.rules.examples_run import run_examples
from aml_screen.settings import Settings

_DIR = click.Path(path_type=Path, file_okay=False)



def _load(rules_dir: Path | None, settings: Settings) -> RuleSet:
    """The rule set, or every problem on stderr and exit 2."""
    try:
        return load_rules(rules_dir or settings.rules_dir, parameters_override(settings))
    except RuleError as exc:
        err = Console(stderr=True, soft_wrap=True)
        for problem in exc.problems:
            err.print(problem.line(language()), markup=False, highlight=False)
        err.print(t("rules.invalid", count=len(exc.problems)), markup=False)
        sys.exit(exc.exit_code)


@click.group("rules")
def rules_group() -> None:
    """Behavioural rules: validate, test, backtest.

    Règles comportementales : valider, tester, rejouer sur l'historique.
    """


@rules_group.command("validate")
@click.argument("rules_dir", required=False, type=_DIR)
@pass_context
def validate_command(obj: Context, rules_dir: Path | None) -> None:
    """Check every rule file of DIR (default: settings rules_dir); exit 2 on any problem.

    Vérifie chaque fichier de règles du dossier ; code 2 au moindre problème.
    """
    rule_set = _load(rules_dir, obj.settings)
    kinds = Counter(rule.kind for rule in rule_set.rules)
    click.echo(t("rules.validate.ok", rules=len(rule_set.rules), files=len(rule_set.files),
                 kinds=", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))))


@rules_group.command("test")
@click.argument("rules_dir", required=False, type=_DIR)
@click.option("--rule", "rule_ids", multiple=True, help="Only this rule id (repeatable).")
@pass_context
def test_command(obj: Context, rules_dir: Path | None, rule_ids: tuple[str, ...]) -> None:
    """Run each rule's examples: cases that must fire it and cases that must not.

    Exécute les exemples de chaque règle : cas qui doivent la déclencher ou non.
    """
    rule_set = _load(rules_dir, obj.settings)
    results = run_examples(rule_set, set(rule_ids) if rule_ids else None)
    table = Table(title=t("rules.test.title"))
    for key in ("rule", "case", "expected", "result"):
        table.add_column(t(f"rules.test.col.{key}"))
    for result in results:
        table.add_row(result.rule_id, result.case,
                      t("rules.test.fires" if result.expected else "rules.test.quiet"),
                      t("rules.test.pass") if result.passed else t("rules.test.fail"))
    out = Console()
    out.print(table)
    failed = [r for r in results if not r.passed]
    out.print(t("rules.test.totals", cases=len(results), failed=len(failed),
                rules=len({r.rule_id for r in results})))
    if failed:
        sys.exit(1)


@rules_group.command("backtest")
@click.argument("batches", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--rules", "rules_dir", required=True, type=_DIR,
              help="The changed rule set / le jeu de règles modifié.")
@click.option("--current", "current_dir", type=_DIR,
              help="Rules to compare with (default: settings rules_dir) / règles actuelles.")
@pass_context
def backtest_command(obj: Context, batches: tuple[Path, ...], rules_dir: Path,
                     current_dir: Path | None) -> None:
    """Per rule, the alerts a changed rule set adds or removes on past batches.

    Par règle, les alertes qu'un jeu de règles modifié ajoute ou retire sur des lots passés.
    """
    settings = obj.settings
    changed, current = _load(rules_dir, settings), _load(current_dir, settings)
    frames = [read_batch(path, None, timezone=settings.timezone,
                         date_order=settings.date_order, language=language(),
                         limits=input_limits(settings)).frame
              for path in batches]
    transactions = pl.concat(frames, how="diagonal_relaxed")
    keys = ["rule_id", "subject_type", "subject_id"]
    zone = settings.timezone
    new = evaluate_rules(changed, transactions, timezone=zone).select(keys).unique()
    old = evaluate_rules(current, transactions, timezone=zone).select(keys).unique()
    added = new.join(old, on=keys, how="anti").group_by("rule_id").len("added")
    removed = old.join(new, on=keys, how="anti").group_by("rule_id").len("removed")
    kept = new.join(old, on=keys, how="semi").group_by("rule_id").len("kept")
    report = (
        pl.DataFrame({"rule_id": sorted({r.id for r in (*changed.rules, *current.rules)})})
        .join(added, on="rule_id", how="left").join(removed, on="rule_id", how="left")
        .join(kept, on="rule_id", how="left").fill_null(0)
    )
    table = Table(title=t("rules.backtest.title", rows=transactions.height))
    for key in ("rule", "added", "removed", "kept"):
        table.add_column(t(f"rules.backtest.col.{key}"))
    for row in report.iter_rows():
        table.add_row(*(str(v) for v in row))
    Console().print(table)


def register(main: click.Group) -> None:
    main.add_command(rules_group)
