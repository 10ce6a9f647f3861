"""Downloads against a real local HTTP server serving the real official files."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aml_screen.errors import WatchlistError
from aml_screen.settings import Settings, load_settings
from aml_screen.watchlists import download, registry
from aml_screen.watchlists.download import fetch, update_source
from aml_screen.watchlists.formats import OFAC_FILE_SETS
from aml_screen.watchlists.loader import load_watchlist
from aml_screen.watchlists.ofac import parse_ofac_csv
from aml_screen.watchlists.sources import Source, load_sources
from aml_screen.watchlists.un_xml import parse_un_xml

Reply = tuple[int, bytes, dict[str, str]]
HTML_ERROR_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>"
                   b"<body><h1>Maintenance</h1><p>Please retry later.</p></body></html>\n")


class Server:
    """Routes (URL path → reply, or a callable giving one) that tests change between calls."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.routes: dict[str, Reply | Callable[[], Reply]] = {}
        self.hits: dict[str, int] = {}
        self.agents: list[str] = []

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def file(self, path: str, source: Path) -> None:
        self.routes[path] = (200, source.read_bytes(), {})

    def body(self, path: str, data: bytes, status: int = 200, **headers: str) -> None:
        self.routes[path] = (status, data, headers)


@contextmanager
def serve() -> Iterator[Server]:
    """A ThreadingHTTPServer on 127.0.0.1 (free port) in a thread, for the test's duration."""
    state: list[Server] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server = state[0]
            server.hits[self.path] = server.hits.get(self.path, 0) + 1
            server.agents.append(self.headers.get("User-Agent", ""))
            route = server.routes.get(self.path, (404, b"not found", {}))
            status, data, fixed = route() if callable(route) else route
            headers = dict(fixed)
            self.send_response(status)
            self.send_header("Content-Length", headers.pop("Content-Length", str(len(data))))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.append(Server(f"http://127.0.0.1:{httpd.server_address[1]}"))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state[0]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def write_sources(path: Path, server: Server, entries: dict[str, tuple[str, list[str]]]) -> Path:
    """A sources.yaml with, per source id, a format and the served paths of its files."""
    lines = ["sources:"]
    for source_id, (list_format, paths) in entries.items():
        lines += [f"  - id: {source_id}", "    title: {en: Test list, fr: Liste de test}",
                  f"    format: {list_format}", "    files:"]
        lines += [f"      - {{name: {p.rsplit('/', 1)[1]}, url: '{server.url(p)}'}}" for p in paths]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_settings(tmp_path: Path, sources_file: Path) -> Settings:
    return load_settings(environ={}, config_file=tmp_path / "absent.toml",
                         data_dir=tmp_path / "var", sources_file=sources_file)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


@pytest.fixture
def un_setup(tmp_path: Path, server: Server, shared_data: Path) -> tuple[Settings, Path]:
    original = shared_data / "un_consolidated" / "consolidated.xml"
    server.file("/un/consolidated.xml", original)
    sources = write_sources(tmp_path / "sources.yaml", server,
                            {"un_sc": ("un_xml", ["/un/consolidated.xml"])})
    return make_settings(tmp_path, sources), original


def un_source(settings: Settings) -> Source:
    return load_sources(settings.sources_file)["un_sc"]


@pytest.mark.shared
def test_un_download_stores_a_version_with_its_manifest(
    un_setup: tuple[Settings, Path], server: Server
) -> None:
    settings, original = un_setup
    result = update_source(un_source(settings), settings)
    expected = parse_un_xml(original)
    version = result.version
    manifest = json.loads((version.folder / registry.MANIFEST).read_text(encoding="utf-8"))
    assert result.changed
    assert manifest["sha256"] == sha(original) == sha(version.folder / "consolidated.xml")
    assert manifest["files"] == [{"name": "consolidated.xml",
                                  "url": server.url("/un/consolidated.xml"),
                                  "sha256": sha(original), "bytes": original.stat().st_size}]
    assert (manifest["source"], manifest["format"]) == ("un_sc", "un_xml")
    assert manifest["version_date"] == expected.version_date is not None
    assert manifest["names"] == expected.entries.height
    assert manifest["entries"] == expected.entries.get_column("entry_id").n_unique()
    assert datetime.fromisoformat(manifest["retrieved_at"]).tzinfo is not None
    assert version.folder.name.endswith("_" + sha(original)[:registry.SHA_PREFIX])
    assert version.folder.parent == settings.data_dir / "watchlists" / "un_sc"
    assert [p.name for p in version.folder.parent.iterdir()] == [version.folder.name]


@pytest.mark.shared
def test_unchanged_download_is_not_stored_twice(
    un_setup: tuple[Settings, Path], server: Server
) -> None:
    settings, _ = un_setup
    first = update_source(un_source(settings), settings)
    again = update_source(un_source(settings), settings)
    assert not again.changed
    assert again.version == first.version
    assert server.hits["/un/consolidated.xml"] == 2
    assert registry.versions(settings, "un_sc") == [first.version]


@pytest.mark.shared
@pytest.mark.parametrize("broken", ["html_page", "truncated", "no_entries"])
def test_broken_download_is_refused_and_previous_version_stays_current(
    un_setup: tuple[Settings, Path], server: Server, broken: str
) -> None:
    settings, original = un_setup
    first = update_source(un_source(settings), settings).version
    data = original.read_bytes()
    replies = {
        "html_page": HTML_ERROR_PAGE,
        "truncated": data[: len(data) // 3],
        "no_entries": b'<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-03-01T'
                      b'00:00:00Z"><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>\n',
    }
    server.body("/un/consolidated.xml", replies[broken])
    with pytest.raises(WatchlistError) as caught:
        update_source(un_source(settings), settings)
    assert caught.value.key in {"watchlists.download.refused", "watchlists.download.no_names"}
    assert "un_sc" in str(caught.value)
    assert registry.versions(settings, "un_sc") == [first]
    assert [p.name for p in first.folder.parent.iterdir()] == [first.folder.name]
    loaded = load_watchlist("un_sc", settings)
    assert (loaded.sha256, loaded.retrieved_at) == (sha(original), first.retrieved_at)
    assert loaded.entries.height == first.names


@pytest.mark.shared
@pytest.mark.parametrize(
    ("source_id", "folder", "list_id"),
    [("ofac_sdn", "ofac_sdn/bench_2021", "ofac_sdn"),
     ("ofac_cons", "ofac_consolidated_non_sdn", "ofac_cons")],
)
def test_ofac_file_set_is_downloaded_together(
    tmp_path: Path, server: Server, shared_data: Path, source_id: str, folder: str, list_id: str
) -> None:
    names = OFAC_FILE_SETS[list_id]
    for name in names:
        server.file(f"/ofac/{name}", shared_data / folder / name)
    sources = write_sources(tmp_path / "sources.yaml", server,
                            {source_id: ("ofac_csv", [f"/ofac/{n}" for n in names])})
    settings = make_settings(tmp_path, sources)
    version = update_source(load_sources(sources)[source_id], settings).version
    hashes = {name: sha(shared_data / folder / name) for name in names}
    combined = hashlib.sha256("".join(f"{hashes[n]}\n" for n in sorted(names)).encode())
    expected = parse_ofac_csv(shared_data / folder / names[0], source_id)
    assert version.sha256 == combined.hexdigest()
    assert {f.name: f.sha256 for f in version.files} == hashes
    assert [f.name for f in version.files] == list(names)
    assert version.names == expected.entries.height
    loaded = load_watchlist(source_id, settings)
    assert loaded.version()["names"] == expected.entries.height
    assert loaded.entries.get_column("list_id").unique().to_list() == [source_id]


@pytest.mark.shared
def test_changed_list_becomes_the_new_current_version(
    tmp_path: Path, server: Server, shared_data: Path
) -> None:
    names = OFAC_FILE_SETS["ofac_sdn"]
    sources = write_sources(tmp_path / "sources.yaml", server,
                            {"ofac_sdn": ("ofac_csv", [f"/ofac/{n}" for n in names])})
    settings = make_settings(tmp_path, sources)
    source = load_sources(sources)["ofac_sdn"]
    snapshots = []
    for folder in ("samples", "bench_2021"):
        for name in names:
            server.file(f"/ofac/{name}", shared_data / "ofac_sdn" / folder / name)
        snapshots.append(update_source(source, settings).version)
    assert registry.versions(settings, "ofac_sdn") == snapshots
    assert registry.current(settings, "ofac_sdn") == snapshots[1]
    assert snapshots[0].names < snapshots[1].names
    assert load_watchlist("ofac_sdn", settings).sha256 == snapshots[1].sha256


def test_http_404_is_a_clear_error_and_stores_nothing(tmp_path: Path, server: Server) -> None:
    sources = write_sources(tmp_path / "sources.yaml", server,
                            {"un_sc": ("un_xml", ["/missing/consolidated.xml"])})
    settings = make_settings(tmp_path, sources)
    with pytest.raises(WatchlistError) as caught:
        update_source(load_sources(sources)["un_sc"], settings)
    assert caught.value.key == "watchlists.download.http_status"
    assert "404" in str(caught.value)
    assert server.hits["/missing/consolidated.xml"] == 1
    assert list((settings.data_dir / "watchlists" / "un_sc").iterdir()) == []


def test_progress_reports_increasing_byte_counts(tmp_path: Path, server: Server) -> None:
    data = b"".join(b'%d,"NAME %d",-0- ,"SDGT"\n' % (i, i) for i in range(20_000))
    server.body("/big.csv", data)
    calls: list[tuple[str, int, int | None]] = []
    stored = fetch(server.url("/big.csv"), tmp_path / "big.csv", timeout=10, label="x/big.csv",
                   progress=lambda *call: calls.append(call))
    counts = [done for _, done, _ in calls]
    assert counts[0] == 0
    assert counts == sorted(set(counts))
    assert len(counts) > 3
    assert counts[-1] == len(data) == stored.bytes
    assert {(label, total) for label, _, total in calls} == {("x/big.csv", len(data))}
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("failures", "succeeds"), [(1, True), (2, True), (3, False)])
def test_server_errors_are_retried_at_most_twice(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch, failures: int,
    succeeds: bool
) -> None:
    monkeypatch.setattr(download, "RETRY_DELAYS", (0.0, 0.0))
    busy: Reply = (503, b"busy", {})
    replies = [busy] * failures + [(200, b"1,2\n", {})]
    answers = iter(replies)
    server.routes["/flaky.csv"] = lambda: next(answers)
    if succeeds:
        assert fetch(server.url("/flaky.csv"), tmp_path / "f.csv", timeout=10, label="f").bytes == 4
    else:
        with pytest.raises(WatchlistError) as caught:
            fetch(server.url("/flaky.csv"), tmp_path / "f.csv", timeout=10, label="f")
        assert caught.value.key == "watchlists.download.failed"
        assert "503" in str(caught.value)
    assert server.hits["/flaky.csv"] == min(failures + 1, 3)


def test_cut_transfer_is_not_accepted(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "RETRY_DELAYS", (0.0, 0.0))
    server.routes["/cut.xml"] = (200, b"<CONSOLIDATED_LIST>", {"Content-Length": "5000"})
    with pytest.raises(WatchlistError) as caught:
        fetch(server.url("/cut.xml"), tmp_path / "cut.xml", timeout=5, label="cut")
    assert caught.value.key == "watchlists.download.failed"
    assert server.hits["/cut.xml"] == 3


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/list.csv",
                                 "data:text/plain,1", "http:///no-host"])
def test_only_http_urls_are_fetched(tmp_path: Path, url: str) -> None:
    with pytest.raises(WatchlistError) as caught:
        fetch(url, tmp_path / "out", timeout=1, label="x")
    assert caught.value.key == "watchlists.download.bad_url"
    assert not (tmp_path / "out").exists()


def test_redirect_to_a_file_url_is_refused(tmp_path: Path, server: Server) -> None:
    server.body("/redirect", b"", status=302, Location="file:///etc/passwd")
    with pytest.raises(WatchlistError):
        fetch(server.url("/redirect"), tmp_path / "out", timeout=5, label="x")
    assert server.hits["/redirect"] == 1


def test_user_agent_names_aml_screen(tmp_path: Path, server: Server) -> None:
    server.body("/ua", b"1,2\n")
    fetch(server.url("/ua"), tmp_path / "ua", timeout=5, label="ua")
    assert server.agents == [download.USER_AGENT]
    assert download.USER_AGENT.startswith("aml-screen/")


def test_bundled_source_cannot_be_downloaded(tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text("name\nJohn Doe\n", encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {id: local, title: {en: L, fr: L}, format: custom_csv, "
                       "path: list.csv}\n", encoding="utf-8")
    settings = make_settings(tmp_path, sources)
    with pytest.raises(WatchlistError) as caught:
        update_source(load_sources(sources)["local"], settings)
    assert caught.value.key == "watchlists.download.not_downloadable"
