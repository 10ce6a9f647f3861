"""A newer version of the sample national list (one entry added that matches a party of
the sample batch), as settings whose default watchlists use it, and the sample batch file
kept where uploads are kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from aml_screen.jobs import stored_path
from aml_screen.settings import Settings
from tests.store.samples import REPO, SAMPLE, repo_settings, sample_run

SAMPLES = REPO / "watchlists" / "samples"
ADDED_ENTRY = ("ML-GEL-2025-042,Awa Sangaré,person,primary,Aïssata Sangaré,1979,SN,SN|ML,"
               "ML-GEL-FINANCEMENT-TERRORISME,2025-06-02,FICTIONAL entry invented for tests "
               "/ entrée FICTIVE inventée pour les tests.\n")
ADDED_SUBJECT = "awa sangare"


def list_settings(folder: Path, *, updated: bool, **overrides: Any) -> Settings:
    """Settings on ``folder`` screening against the sample lists, the national one with
    the added entry when ``updated``."""
    folder.mkdir(parents=True, exist_ok=True)
    national = folder / "national.csv"
    text = (SAMPLES / "national_sample.csv").read_text(encoding="utf-8")
    national.write_text(text + (ADDED_ENTRY if updated else ""), encoding="utf-8")
    sources = folder / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - id: sample_un\n    title: {{en: UN, fr: ONU}}\n    format: un_xml\n"
        f"    path: {SAMPLES / 'un_sahel_sample.xml'}\n"
        f"  - id: sample_national\n    title: {{en: National, fr: Nationale}}\n"
        f"    format: custom_csv\n    path: {national}\n", encoding="utf-8")
    return repo_settings(sources_file=sources, **{"data_dir": folder / "var", **overrides})


def keep_sample_upload(settings: Settings) -> Path:
    """The sample batch file where the upload of the sample batch would be kept."""
    target = stored_path(settings, sample_run().sha256, SAMPLE.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE, target)
    return target
