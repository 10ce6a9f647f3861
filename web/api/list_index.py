"""The index of the lists screened by default (``default_watchlists``), built once per
process for single-name look-ups and built again when a list changes: a new stored
version of a downloaded source, or a bundled or named file rewritten. Telling that costs a
few file reads per look-up, where building the index costs seconds on the real lists."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from aml_screen.cli.options import load_lists
from aml_screen.match.index import ListIndex
from aml_screen.pipeline import index_watchlists
from aml_screen.settings import Settings
from aml_screen.watchlists import registry
from aml_screen.watchlists.sources import load_sources

log = logging.getLogger(__name__)


def _file_state(path: Path) -> tuple[str, int, int]:
    stat = path.stat() if path.exists() else None
    return str(path), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0


def lists_state(settings: Settings) -> tuple[object, ...]:
    """What the default lists' content depends on, cheaply: per list, its current stored
    version (downloaded sources) or its file's path, time and size."""
    sources = load_sources(settings.sources_file) if settings.sources_file.is_file() else {}
    state: list[object] = []
    for spec in settings.default_watchlists:
        source = sources.get(spec)
        if source is not None and source.downloadable:
            version = registry.current(settings, spec)
            state.append((spec, version.sha256 if version else None))
        else:
            state.append(_file_state(source.path if source is not None and source.path
                                     else Path(spec).expanduser()))
    return tuple(state)


class DefaultListIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple[object, ...] | None = None
        self._index: ListIndex | None = None

    @property
    def ready(self) -> bool:
        """Whether an index has been built (it may be rebuilt when a list changes)."""
        return self._index is not None

    def get(self, settings: Settings) -> ListIndex:
        """The index of the default lists as they are now (built under a lock: concurrent
        look-ups after a list update wait for one build instead of each making their own)."""
        state = lists_state(settings)
        with self._lock:
            if self._index is None or state != self._state:
                self._index = index_watchlists(load_lists((), settings))
                self._state = state
            return self._index

    def warm(self, settings: Settings) -> threading.Thread:
        """Build the index on a background thread, so the first look-up a served process
        answers does not wait seconds for it, nor hold up that process's other requests
        meanwhile. A list that cannot be read is only logged here: the look-up that needs
        it answers with the error."""

        def build() -> None:
            try:
                self.get(settings)
            except Exception:  # the look-up that needs the lists reports it to its caller
                log.warning("the default lists could not be indexed in advance",
                            exc_info=True)

        thread = threading.Thread(target=build, name="list-index-warm-up", daemon=True)
        thread.start()
        return thread
