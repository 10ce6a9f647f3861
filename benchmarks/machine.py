"""What a benchmark ran on, so that figures from different machines can be compared."""

from __future__ import annotations

import hashlib
import os
import platform
import resource
import time
from pathlib import Path

import polars as pl
import rapidfuzz


def _proc_field(path: str, field: str) -> str | None:
    """First ``field: value`` line of a /proc file (Linux only; None elsewhere)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == field:
            return value.strip()
    return None


def python_loop_ms(rounds: int = 3) -> float:
    """Milliseconds this machine's Python takes to add up a million integers in a loop,
    best of ``rounds``: virtual machines of one name ("2-core AMD EPYC") differ in speed
    from one day to the next, and what a Python server serves follows it."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def describe() -> dict[str, object]:
    """CPU model, usable cores, RAM, the speed of a Python loop and the versions the
    figures depend on."""
    mem_kib = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "cpu": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "ram_gib": round(int(mem_kib.split()[0]) / 1024**2, 1) if mem_kib else None,
        "python_loop_ms": python_loop_ms(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "rapidfuzz": rapidfuzz.__version__,
    }


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far: ``VmHWM``, which starts anew at
    ``exec``, where ``ru_maxrss`` carries over the parent's peak (a benchmark child started
    right after generating a 10M-row batch would report the generator's memory); elsewhere
    ``ru_maxrss`` (KiB on Linux)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8").splitlines()
    except OSError:
        status = []
    found = [line.split()[1] for line in status if line.startswith("VmHWM:")]
    if found:
        return round(int(found[0]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    """CPU seconds of this process and of the children it has waited for, such as the
    XML readers' checker process (``aml_screen.ingest.xml_check``)."""
    return time.process_time() + children_cpu_seconds()


def children_cpu_seconds() -> float:
    """CPU seconds of the children this process has waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def table(figures: dict[str, object]) -> str:
    """The figures as a two-column plain-text table."""
    width = max(len(key) for key in figures)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in figures.items())


def code_fingerprint(*modules: str) -> str:
    """Short digest of the named benchmark modules' source (``generate_batch``…): part of
    every cached batch's name, so a batch made by older generator code is never reused."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for module in sorted(modules):
        digest.update((here / f"{module}.py").read_bytes())
    return digest.hexdigest()[:8]
