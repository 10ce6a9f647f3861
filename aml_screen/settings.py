"""The one settings object: defaults, then a TOML file, then ``AML_SCREEN_*`` variables.

Nothing else in the package reads ``os.environ``. The file is ``aml-screen.toml`` in the
working directory, or the path in ``AML_SCREEN_CONFIG``. Relative paths in the file are
resolved against the file's folder, so the configuration works from any directory.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aml_screen.errors import ConfigError
from aml_screen.i18n import LANGUAGES
from aml_screen.roles import ROLES

ENV_PREFIX = "AML_SCREEN_"
DEFAULT_FILE = "aml-screen.toml"
CALLBACK_PATH = "/login/sso/callback"
"""Where the OpenID Connect provider sends the browser back (``oidc_redirect_uri``)."""


@dataclass(frozen=True)
class Settings:
    """Everything a deployment can change. Field names map to ``AML_SCREEN_<NAME>``."""

    language: str = "en"
    """Language of CLI messages and reports: ``en`` or ``fr``."""
    data_dir: Path = Path("var")
    """Where downloaded list versions and job outputs are kept."""
    sources_file: Path = Path("watchlists/sources.yaml")
    """List source definitions (official URLs and formats)."""
    default_watchlists: tuple[str, ...] = ()
    """Sources or files screened when ``--watchlist`` is not given."""
    rules_dir: Path = Path("rules")
    """Rule packs evaluated when ``--rules`` is not given."""
    rule_parameters_file: Path = Path("rules/parameters.yaml")
    """Named thresholds and country sets the rules refer to; a deployment overrides them here."""
    history_days: int = 90
    """How far back (and forward) ``scope: history`` rules look in the stored transactions
    of the accounts a batch touches; 0 = batches alone."""
    match_threshold: float = 88.0
    """Hits scoring below this (0-100) are dropped."""
    match_memory_mib: int = 1024
    """Working memory name matching may use at a time: more list names sharing a token cost
    time, not memory, beyond it (a name it still cannot fit is counted: ``names_capped``)."""
    timezone: str = "UTC"
    """Zone in which batch times without an offset are read (e.g. Africa/Niamey)."""
    date_order: str = "dmy"
    """How to read ambiguous numeric dates such as 03/04/2025: ``dmy`` or ``mdy``."""
    plausible_from: date = date(1900, 1, 1)
    """Booking dates before this day are quarantined as implausible (``implausible_date``)."""
    plausible_to: date | None = None
    """… and after this day; empty = 31 December of next year."""
    download_timeout: float = 60.0
    database_url: str = "sqlite:///var/aml-screen.db"
    """SQLAlchemy URL: SQLite file by default, ``postgresql+psycopg://…`` in production."""
    job_queue_url: str = "sqlite"
    """Background jobs: ``sqlite`` (embedded, under data_dir) or ``redis://127.0.0.1:6379/0``."""
    secret_key: str = ""
    """Web session signing key; empty = generated once and kept in data_dir."""
    web_workers: int = 0
    """Processes serving the web interface (``aml-screen serve``); 0 = one per core on
    PostgreSQL, one on SQLite (whose single writer gains nothing from more)."""
    web_polars_threads: int = 1
    """Threads polars may use in each web process when several serve the interface:
    a page runs polars on frames of a few thousand rows, where waking a second thread costs
    more than it saves, and the processes already share the cores. 0 = polars' own choice
    (one per core). The screening jobs keep polars' own choice."""
    max_upload_mb: float = 200.0
    """Largest batch file the web interface accepts."""
    max_batch_rows: int = 20_000_000
    """A batch file (all members of a ZIP together) holding more rows is refused."""
    max_batch_columns: int = 1_000
    """A batch file whose header has more columns is refused."""
    max_field_bytes: int = 100_000
    """A batch file with a longer field (UTF-8 bytes) is refused."""
    max_line_bytes: int = 1_048_576
    """A CSV batch with a longer record is refused (an unclosed quote makes one of the rest
    of the file)."""
    max_unpacked_mb: int = 4_096
    """A ZIP batch whose member inflates to more is refused."""
    retention_years: int = 5
    """Personal data is kept this many years after a case or alert is closed (FATF R.11)."""
    exemption_days: int = 365
    """How long an approved exemption (remembered false positive) lasts by default."""
    login_free_attempts: int = 3
    """Failed log-ins of one user name from one address before each next try waits (the
    wait doubles per failure up to ``login_max_delay_seconds``: a delay, never a lock-out)."""
    login_name_attempts: int = 10
    """The same, for one user name from any address (slows a guesser using many addresses)."""
    login_address_attempts: int = 30
    """The same, for one address over any user names (slows one password sprayed over many
    names)."""
    login_max_delay_seconds: int = 60
    login_window_minutes: int = 15
    """Failures older than this (with none since) are forgotten."""
    require_2fa_for: tuple[str, ...] = ("supervisor", "admin")
    """Roles that log in with a second factor (a TOTP code or a recovery code) after the
    password: a user of such a role without one is sent to enrolment at log-in and can open
    nothing else until enrolled. ``all`` = every role; empty = nobody is made to."""
    session_idle_minutes: int = 30
    """A web session left unused this long ends: log in again."""
    session_max_hours: int = 12
    """A web session ends this long after its log-in, however busy."""
    api_rate_limit: int = 120
    """Requests one API token may make per ``api_rate_window_seconds``; past it the API
    answers 429 with ``Retry-After``. Counted in each web process's memory: with several
    processes (``web_workers``), a token gets up to this many per process."""
    api_rate_window_seconds: int = 60
    goaml_entity_id: str = ""
    """This reporting entity's goAML identifier (``rentity_id``), assigned by the FIU."""
    local_currency: str = "XOF"
    """ISO 4217 currency of this jurisdiction (goAML ``currency_code_local``)."""
    job_queue_name: str = "aml-screen"
    """Name of the job queue; keeps deployments (or test runs) sharing one Redis apart."""
    job_stale_seconds: float = 90.0
    """A running job whose last heartbeat is older than this is taken for dead (its worker
    was killed) and queued again; running jobs beat every sixth of it."""
    job_max_attempts: int = 3
    """How many times a job is started before a worker death makes it fail for good."""
    webhook_attempts: int = 8
    """How many times a webhook delivery is tried before it is given up (its endpoint
    answered no 2xx, or not in time, every time)."""
    webhook_retry_seconds: float = 30.0
    """Wait before a failed webhook delivery is tried again; each later wait doubles (with
    the default 8 tries: 30 s, 1 min, 2 min … 32 min, about an hour in all)."""
    webhook_timeout_seconds: float = 5.0
    """How long one webhook delivery waits for its endpoint to connect and answer (a
    delivery still sending ``job_stale_seconds`` after that is taken for lost with its
    worker, and sent again)."""
    webhook_poll_seconds: float = 2.0
    """How often the outbox of webhook deliveries is read for the ones due, where jobs run
    (``serve`` in the embedded set-up, ``aml-screen worker`` with Redis)."""
    webhook_history_days: int = 90
    """How long a delivered or given-up webhook delivery stays in the history (with its
    attempts) before the relay deletes it."""
    oidc_enabled: bool = False
    """Single sign-on with OpenID Connect (Keycloak, Entra ID…) beside or instead of local
    passwords (README, "Single sign-on"); off by default: the embedded mode needs none."""
    oidc_provider_name: str = "SSO"
    """Name on the log-in page's button: "Sign in with <name>" (e.g. Keycloak)."""
    oidc_issuer: str = ""
    """The provider's issuer URL; its settings are read from
    ``<issuer>/.well-known/openid-configuration`` (Keycloak: ``https://host/realms/<realm>``;
    Entra ID: ``https://login.microsoftonline.com/<tenant>/v2.0``)."""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    """The confidential client registered for aml-screen at the provider."""
    oidc_scopes: tuple[str, ...] = ("openid", "profile", "email")
    """Scopes asked for; ``openid`` is required (Keycloak adds ``groups`` with a group
    mapper on the client, not a scope)."""
    oidc_groups_claim: str = "groups"
    """ID-token claim listing the user's groups (Keycloak ``groups``; Entra ID ``groups``,
    which holds group object ids, or ``roles`` for app roles)."""
    oidc_role_groups: tuple[tuple[str, str], ...] = ()
    """Provider group → role, ``group=role`` items (a TOML table in the file). A user in
    several mapped groups takes the role of the first item listed: list the strongest
    first. The role is read again at each log-in."""
    oidc_unmapped: str = "refuse"
    """A user in no mapped group: ``refuse`` (a page tells them to ask for a group), or a
    role to give them."""
    oidc_username_claim: str = "preferred_username"
    """Claim naming a new user's local account (characters a user name cannot hold become
    ``_``; a name already taken gets a number). Accounts are linked by the provider's
    issuer and ``sub``, never by name."""
    oidc_redirect_uri: str = ""
    """The callback address registered at the provider; empty = this site's
    ``/login/sso/callback`` as the browser reached it (set it behind a reverse proxy)."""
    oidc_timeout: float = 10.0
    """Seconds to wait for the provider's discovery document, keys and token endpoint."""
    oidc_trust_provider_mfa: bool = True
    """Users who sign in through the provider are not asked for this app's second factor
    (``require_2fa_for``): the provider's own multi-factor log-in applies. ``false``: they
    give their app code after the provider, as after a password."""
    local_login: bool = True
    """Log-in with a local user name and password beside single sign-on; ``false`` with
    ``oidc_enabled`` = single sign-on only (the CLI still manages local accounts)."""
    config_file: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ConfigError("config.bad_value", name="language", value=self.language,
                              detail=" | ".join(LANGUAGES))
        if self.date_order not in ("dmy", "mdy"):
            raise ConfigError("config.bad_value", name="date_order", value=self.date_order,
                              detail="dmy | mdy")
        if not 0 <= self.match_threshold <= 100:
            raise ConfigError("config.bad_value", name="match_threshold",
                              value=self.match_threshold, detail="0-100")
        if self.match_memory_mib < 64:
            raise ConfigError("config.bad_value", name="match_memory_mib",
                              value=self.match_memory_mib, detail=">= 64")
        if self.retention_years < 1:
            raise ConfigError("config.bad_value", name="retention_years",
                              value=self.retention_years, detail=">= 1")
        if self.exemption_days < 1:
            raise ConfigError("config.bad_value", name="exemption_days",
                              value=self.exemption_days, detail=">= 1")
        if self.job_stale_seconds <= 0:
            raise ConfigError("config.bad_value", name="job_stale_seconds",
                              value=self.job_stale_seconds, detail="> 0")
        if self.job_max_attempts < 1:
            raise ConfigError("config.bad_value", name="job_max_attempts",
                              value=self.job_max_attempts, detail=">= 1")
        for name in ("webhook_retry_seconds", "webhook_timeout_seconds",
                     "webhook_poll_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError("config.bad_value", name=name, value=getattr(self, name),
                                  detail="> 0")
        if self.plausible_to is not None and self.plausible_to < self.plausible_from:
            raise ConfigError("config.bad_value", name="plausible_to", value=self.plausible_to,
                              detail=f">= plausible_from ({self.plausible_from})")
        roles = (*ROLES, "all")
        for role in self.require_2fa_for:
            if role not in roles:
                raise ConfigError("config.bad_value", name="require_2fa_for", value=role,
                                  detail=" | ".join(roles))
        for name in ("login_free_attempts", "login_name_attempts", "login_address_attempts",
                     "login_max_delay_seconds", "login_window_minutes", "max_batch_rows",
                     "session_idle_minutes", "session_max_hours",
                     "api_rate_limit", "api_rate_window_seconds", "webhook_attempts",
                     "webhook_history_days",
                     "max_batch_columns", "max_field_bytes", "max_line_bytes",
                     "max_unpacked_mb"):
            if getattr(self, name) < 1:
                raise ConfigError("config.bad_value", name=name, value=getattr(self, name),
                                  detail=">= 1")
        self._check_oidc()
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError("config.bad_value", name="timezone", value=self.timezone,
                              detail="IANA zone, e.g. Africa/Niamey") from exc

    def _check_oidc(self) -> None:
        for group, role in self.oidc_role_groups:
            if role not in ROLES:
                raise ConfigError("config.bad_value", name="oidc_role_groups",
                                  value=f"{group}={role}", detail=" | ".join(ROLES))
        if self.oidc_unmapped not in ("refuse", *ROLES):
            raise ConfigError("config.bad_value", name="oidc_unmapped",
                              value=self.oidc_unmapped, detail=" | ".join(("refuse", *ROLES)))
        if not self.oidc_enabled:
            if not self.local_login:
                raise ConfigError("config.bad_value", name="local_login", value=False,
                                  detail="true unless oidc_enabled")
            return
        for name in ("oidc_issuer", "oidc_client_id", "oidc_groups_claim",
                     "oidc_username_claim", "oidc_provider_name"):
            if not getattr(self, name):
                raise ConfigError("config.bad_value", name=name, value="",
                                  detail="required with oidc_enabled")
        if not self.oidc_issuer.startswith(("https://", "http://")):
            raise ConfigError("config.bad_value", name="oidc_issuer", value=self.oidc_issuer,
                              detail="https://…")
        if self.oidc_redirect_uri and not self.oidc_redirect_uri.endswith(CALLBACK_PATH):
            raise ConfigError("config.bad_value", name="oidc_redirect_uri",
                              value=self.oidc_redirect_uri, detail=f"https://…{CALLBACK_PATH}")
        if self.oidc_timeout <= 0:
            raise ConfigError("config.bad_value", name="oidc_timeout", value=self.oidc_timeout,
                              detail="> 0")
        if "openid" not in self.oidc_scopes:
            raise ConfigError("config.bad_value", name="oidc_scopes",
                              value=" ".join(self.oidc_scopes), detail="must hold openid")

    def two_factor_required(self, role: str) -> bool:
        """Whether users of ``role`` must log in with a second factor (``require_2fa_for``)."""
        return "all" in self.require_2fa_for or role in self.require_2fa_for


def _coerce(name: str, raw: Any, annotation: Any) -> Any:
    """Turn a TOML value or an environment string into the field's type."""
    kind = str(annotation)
    try:
        if "Path" in kind:
            return None if raw in (None, "") else Path(raw)
        if kind == "bool":
            return _boolean(raw)
        if "tuple[tuple" in kind:
            return _pairs(raw)
        if "float" in kind:
            return float(raw)
        if kind == "int":
            return int(raw)
        if kind.startswith("date"):
            return None if raw in (None, "") else date.fromisoformat(str(raw))
        if "tuple" in kind:
            if isinstance(raw, str):
                return tuple(part.strip() for part in raw.split(",") if part.strip())
            return tuple(str(part) for part in raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError("config.bad_value", name=name, value=raw, detail=kind) from exc


def _boolean(raw: Any) -> bool:
    """A TOML boolean, or ``true``/``false`` (``1``/``0``, ``yes``/``no``) in a variable."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in ("true", "1", "yes", "on"):
        return True
    if word in ("false", "0", "no", "off"):
        return False
    raise ValueError(word)


def _pairs(raw: Any) -> tuple[tuple[str, str], ...]:
    """``key=value`` items, in order: a TOML table, a list of ``"key=value"`` strings or
    one comma-separated string (an environment variable). Split at the last ``=``: group
    names may hold one, roles never do."""
    if isinstance(raw, Mapping):
        return tuple((str(key), str(value)) for key, value in raw.items())
    items = raw.split(",") if isinstance(raw, str) else [str(item) for item in raw]
    pairs = []
    for item in (item.strip() for item in items):
        if not item:
            continue
        key, sep, value = item.rpartition("=")
        if not sep or not key.strip():
            raise ValueError(item)
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def load_settings(
    environ: Mapping[str, str] | None = None, config_file: Path | None = None, **overrides: Any
) -> Settings:
    """Build settings from defaults, the TOML file, the environment and explicit overrides."""
    env = os.environ if environ is None else environ
    path = config_file or Path(env.get(ENV_PREFIX + "CONFIG", DEFAULT_FILE))
    values: dict[str, Any] = {}
    base = Path.cwd()
    known = {f.name: f for f in fields(Settings) if f.name != "config_file"}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError("config.bad_file", path=path, detail=exc) from exc
        section = data.get("aml_screen", data)
        for key, raw in section.items():
            if key not in known:
                raise ConfigError("config.bad_file", path=path, detail=f"unknown setting {key!r}")
            values[key] = _coerce(key, raw, known[key].type)
        base = path.resolve().parent
    for name, spec in known.items():
        raw_env = env.get(ENV_PREFIX + name.upper())
        if raw_env is not None:
            values[name] = _coerce(name, raw_env, spec.type)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**values, config_file=path if path.is_file() else None)
    return _resolve_paths(settings, base)


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    changes: dict[str, Any] = {}
    for name in ("data_dir", "sources_file", "rules_dir", "rule_parameters_file"):
        value = getattr(settings, name)
        if not value.is_absolute():
            changes[name] = base / value
    url = settings.database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        rel = url.removeprefix("sqlite:///")
        if rel and rel != ":memory:":
            changes["database_url"] = f"sqlite:///{base / rel}"
    return replace(settings, **changes)
