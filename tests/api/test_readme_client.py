"""The README's Python client, run as written against a served app: it submits the sample
batch, waits for its screening, lists the batch's alerts by risk and takes the first into
review (item 6 of the API issue: the documented example is tested, not only shown)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from aml_screen.store.accounts import get_user
from aml_screen.store.api_tokens import create_token
from aml_screen.store.models import Alert
from tests.store.samples import REPO
from tests.web.browser import serve_app
from tests.web.client import database

SAMPLE = REPO / "aml_screen" / "samples" / "sample_batch.csv"
_BLOCK = re.compile(r"<!-- client-example -->\s*```python\n(.*?)```", re.DOTALL)


def readme_client() -> str:
    found = _BLOCK.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert found, "the README has no client example"
    return found.group(1)


def test_the_readme_client_submits_waits_and_triages(tmp_path: Path) -> None:
    secrets: list[str] = []
    apps: list[Flask] = []

    def make_token(app: Flask) -> None:
        apps.append(app)
        with database(app).transaction() as session:
            secrets.append(create_token(session, get_user(session, "intake"), "intake-bot",
                                        ["submit", "read", "triage"]).secret)

    script = tmp_path / "client.py"
    script.write_text(readme_client(), encoding="utf-8")
    with serve_app(tmp_path / "app", {"intake": "supervisor"}, make_token) as url:
        run = subprocess.run(
            [sys.executable, str(script), str(SAMPLE)], capture_output=True, text=True,
            timeout=300, check=False,
            env={**os.environ, "AML_SCREEN_URL": url, "AML_SCREEN_TOKEN": secrets[0]})
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        batch = lines[0].split()
        assert batch[:1] == ["batch"]
        assert batch[2] == "done"
        alerts = [line.split() for line in lines if line.startswith("alert ")]
        assert alerts
        risks = [float(fields[2]) for fields in alerts]
        assert risks == sorted(risks, reverse=True)
        moved = lines[-1].split()
        assert moved[:2] == ["moved", alerts[0][1]]
        assert moved[2:] == ["in_review", "intake"]
        with database(apps[0]).transaction() as session:
            alert = session.get_one(Alert, int(alerts[0][1]))
            assert alert.status == "in_review"
            assert alert.batch_id == int(batch[1])
            assert session.scalars(select(Alert.id).where(Alert.batch_id == alert.batch_id)
                                   ).all()
