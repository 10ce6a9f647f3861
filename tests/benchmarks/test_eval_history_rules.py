"""The history-rule evaluation on the labelled AMLSim runs (shared data): history only adds
alerts, so recall never drops, and the monthly cut gives batches a history can join."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import eval_history_rules


@pytest.mark.shared
def test_history_adds_to_what_batches_alone_find(shared_data: Path) -> None:
    results = eval_history_rules.main(["--data", str(shared_data / "aml_transactions")])
    assert set(results) == {"AMLSim-Extension", "AMLSim TigerGraph alerts"}
    for variants in results.values():
        alone, shipped, every = (variants["per batch"], variants["history (shipped)"],
                                 variants["history (all behavioural)"])
        for key in alone:
            if key.startswith("recall_"):
                assert alone[key] <= shipped[key] <= every[key]
        assert alone["alerted_accounts"] <= shipped["alerted_accounts"]
    tigergraph = results["AMLSim TigerGraph alerts"]
    # Cycles and fan-ins spanning two months are found only over the history.
    assert tigergraph["history (all behavioural)"]["recall_fan_in"] > \
        tigergraph["per batch"]["recall_fan_in"]
