"""``aml-screen evidence verify`` from the command line: one OK line for an intact package,
each bad file named otherwise, in English or French, with an exit code scripts can use."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from click.testing import CliRunner

from aml_screen.cli import main
from aml_screen.evidence import build_package
from tests.evidence.samples import package_input

CONFIG = Path(__file__).resolve().parents[2] / "aml-screen.toml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(CONFIG), *args])
    return result.exit_code, result.stdout, result.stderr


def _tampered(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {i.filename: archive.read(i) for i in archive.infolist()}
    files["summary.pdf"] += b"\n% appended"
    del files["audit_trail.json"]
    files["readme.txt"] = b"added later"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_intact_package_prints_one_ok_line(tmp_path: Path) -> None:
    content, _ = build_package(package_input())
    path = tmp_path / "case-7.zip"
    path.write_bytes(content)
    code, out, err = _run("evidence", "verify", str(path))
    assert code == 0, err
    assert out.splitlines() == [
        f"OK: 7 files match the manifest (case #7, version 3); package SHA-256 "
        f"{hashlib.sha256(content).hexdigest()}"]


def test_each_bad_file_is_named_in_french(tmp_path: Path) -> None:
    path = tmp_path / "case-7.zip"
    path.write_bytes(_tampered(build_package(package_input())[0]))
    code, out, err = _run("--lang", "fr", "evidence", "verify", str(path))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("ÉCHEC : le dossier de SHA-256 ")
    assert lines[0].endswith("ne se vérifie pas (3 problèmes)")
    assert lines[1:] == ["fichier manquant : audit_trail.json",
                         "fichier absent du manifeste : readme.txt",
                         "fichier modifié (empreinte ou taille différente du manifeste) : "
                         "summary.pdf"]


def test_a_file_that_is_not_a_package(tmp_path: Path) -> None:
    path = tmp_path / "notes.zip"
    path.write_text("pas un zip", encoding="utf-8")
    code, _, err = _run("evidence", "verify", str(path))
    assert code == 1
    assert "not a readable ZIP file" in err
    code, _, err = _run("evidence", "verify", str(tmp_path / "absent.zip"))
    assert code == 2
    assert "cannot read" in err
    assert "absent.zip" in err
