"""Command-line usage errors (a missing argument, an unknown option, a folder given for a
file…) as one line in the user's language, instead of Click's English usage block: what
``main`` prints before exiting with code 2."""

from __future__ import annotations

import re
from pathlib import Path

import click

from aml_screen.cli.messages import t

_QUOTED = re.compile(r"'([^']*)'")
_EXTRA = re.compile(r"unexpected extra arguments? \((.*)\)")


def usage_line(error: click.UsageError) -> str:
    """What went wrong, in the current language, with the command's help to turn to."""
    command = error.ctx.command_path if error.ctx is not None else "aml-screen"
    return t("cli.usage.line", command=command, problem=_problem(error))


def _name(param: click.Parameter | None) -> str:
    """An option as typed (``--threshold``), an argument as the usage shows it (BATCHES)."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name if param is not None else "?"


def _problem(error: click.UsageError) -> str:
    if isinstance(error, click.MissingParameter):
        return t("cli.usage.missing", param=_name(error.param))
    if isinstance(error, click.NoSuchOption):
        close = ", ".join(sorted(error.possibilities or ()))
        return (t("cli.usage.no_such_option_close", option=error.option_name, close=close)
                if close else t("cli.usage.no_such_option", option=error.option_name))
    if isinstance(error, click.BadParameter):
        return _bad_value(error)
    extra = _EXTRA.search(error.message)
    if extra is not None:
        return t("cli.usage.extra", arguments=extra.group(1))
    return t("cli.usage.other", detail=error.message)


def _bad_value(error: click.BadParameter) -> str:
    param = error.param
    quoted = _QUOTED.search(error.message)
    value = quoted.group(1) if quoted else ""
    kind = param.type if param is not None else None
    if isinstance(kind, click.Path) and value:
        path = Path(value)
        key = ("cli.usage.is_folder" if path.is_dir() else "cli.usage.is_file"
               if path.exists() else "cli.usage.no_such_path")
        return t(key, param=_name(param), value=value)
    if isinstance(kind, click.Choice):
        return t("cli.usage.choice", param=_name(param), value=value,
                 choices=", ".join(str(c) for c in kind.choices))
    if isinstance(kind, click.IntRange | click.FloatRange) and not quoted:
        # "<value> is not in the range 1<=x<=2147483647.": a number, out of range
        return t("cli.usage.range", param=_name(param), value=error.message.split(" ", 1)[0],
                 low=kind.min if kind.min is not None else "-",
                 high=kind.max if kind.max is not None else "-")
    if kind in (click.INT, click.FLOAT) or isinstance(kind, click.IntRange | click.FloatRange):
        return t("cli.usage.number", param=_name(param), value=value)
    return t("cli.usage.bad_value", param=_name(param), value=value)
