from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aml_screen.errors import ConfigError
from aml_screen.settings import load_settings


def test_defaults_without_file_or_env(tmp_path: Path) -> None:
    settings = load_settings(environ={}, config_file=tmp_path / "absent.toml")
    assert settings.language == "en"
    assert settings.match_threshold == 88.0
    assert settings.timezone == "UTC"
    assert settings.config_file is None


def test_file_then_env_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "aml-screen.toml"
    config.write_text(
        '[aml_screen]\nlanguage = "fr"\nmatch_threshold = 90\ntimezone = "Africa/Niamey"\n'
        'default_watchlists = ["un_sc", "ofac_sdn"]\ndata_dir = "state"\n',
        encoding="utf-8",
    )
    settings = load_settings(environ={"AML_SCREEN_MATCH_THRESHOLD": "88.5"}, config_file=config)
    assert settings.language == "fr"
    assert settings.match_threshold == 88.5
    assert settings.timezone == "Africa/Niamey"
    assert settings.default_watchlists == ("un_sc", "ofac_sdn")
    assert settings.data_dir == tmp_path / "state"  # relative to the file, not the cwd
    env = {"AML_SCREEN_DEFAULT_WATCHLISTS": "uk_ofsi, eu_fsf", "AML_SCREEN_CONFIG": str(config)}
    settings = load_settings(environ=env, language="en")
    assert settings.default_watchlists == ("uk_ofsi", "eu_fsf")
    assert settings.language == "en"


def test_whole_numbers_and_days_are_read_from_the_file_and_the_environment(
        tmp_path: Path) -> None:
    config = tmp_path / "aml-screen.toml"
    config.write_text("login_address_attempts = 50\nplausible_from = 1950-01-01\n",
                      encoding="utf-8")
    env = {"AML_SCREEN_RETENTION_YEARS": "7", "AML_SCREEN_PLAUSIBLE_TO": "2030-06-30"}
    settings = load_settings(environ=env, config_file=config)
    assert settings.login_address_attempts == 50
    assert settings.retention_years == 7  # was the text "7", failing the range check
    assert (settings.plausible_from, settings.plausible_to) == (date(1950, 1, 1),
                                                                date(2030, 6, 30))
    assert load_settings(environ={}, config_file=tmp_path / "absent.toml").plausible_to is None


def test_sqlite_url_is_resolved_next_to_the_file(tmp_path: Path) -> None:
    config = tmp_path / "aml-screen.toml"
    config.write_text('database_url = "sqlite:///var/app.db"\n', encoding="utf-8")
    assert load_settings(environ={}, config_file=config).database_url == (
        f"sqlite:///{tmp_path / 'var' / 'app.db'}"
    )


OIDC = ('oidc_enabled = true\noidc_issuer = "https://sso.example/realms/fiu"\n'
        'oidc_client_id = "aml-screen"\n')


@pytest.mark.parametrize(
    ("content", "env"),
    [
        ('language = "de"\n', {}),
        ('timezone = "Sahel/Nowhere"\n', {}),
        ('match_threshold = 150\n', {}),
        ('unknown_setting = 1\n', {}),
        ("language = \n", {}),
        ("", {"AML_SCREEN_MATCH_THRESHOLD": "high"}),
        ("", {"AML_SCREEN_DATE_ORDER": "ymd"}),
        ("", {"AML_SCREEN_LOGIN_FREE_ATTEMPTS": "0"}),
        ("", {"AML_SCREEN_LOGIN_NAME_ATTEMPTS": "ten"}),
        ("", {"AML_SCREEN_PLAUSIBLE_TO": "31/12/2030"}),
        ("plausible_from = 2001-01-01\nplausible_to = 2000-12-31\n", {}),
        ('require_2fa_for = ["supervisor", "boss"]\n', {}),
        ("", {"AML_SCREEN_SESSION_IDLE_MINUTES": "0"}),
        ("", {"AML_SCREEN_SESSION_MAX_HOURS": "-1"}),
        ("", {"AML_SCREEN_OIDC_ENABLED": "maybe"}),
        ("", {"AML_SCREEN_LOCAL_LOGIN": "false"}),  # nobody could log in
        (OIDC + 'oidc_issuer = ""\n', {}),
        (OIDC + 'oidc_client_id = ""\n', {}),
        (OIDC.replace("https://", "ftp://"), {}),
        (OIDC + 'oidc_scopes = ["profile"]\n', {}),
        (OIDC + 'oidc_redirect_uri = "https://aml.example/callback"\n', {}),
        (OIDC, {"AML_SCREEN_OIDC_ROLE_GROUPS": "/fiu/boss=boss"}),
        (OIDC, {"AML_SCREEN_OIDC_ROLE_GROUPS": "no-role-given"}),
        (OIDC, {"AML_SCREEN_OIDC_UNMAPPED": "welcome"}),
    ],
)
def test_invalid_settings_raise_config_error(tmp_path: Path, content: str,
                                             env: dict[str, str]) -> None:
    config = tmp_path / "aml-screen.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(environ=env, config_file=config)


def test_two_factor_policy_and_session_limits(tmp_path: Path) -> None:
    default = load_settings(environ={}, config_file=tmp_path / "none.toml")
    assert (default.session_idle_minutes, default.session_max_hours) == (30, 12)
    assert [role for role in ("analyst", "supervisor", "admin")
            if default.two_factor_required(role)] == ["supervisor", "admin"]
    everyone = load_settings(environ={"AML_SCREEN_REQUIRE_2FA_FOR": "all"},
                             config_file=tmp_path / "none.toml")
    assert everyone.two_factor_required("analyst")
    config = tmp_path / "aml-screen.toml"
    config.write_text("require_2fa_for = []\nsession_idle_minutes = 10\n", encoding="utf-8")
    nobody = load_settings(environ={}, config_file=config)
    assert not nobody.two_factor_required("admin")
    assert nobody.session_idle_minutes == 10


def test_repository_settings_file_is_valid() -> None:
    repo_config = Path(__file__).resolve().parent.parent / "aml-screen.toml"
    settings = load_settings(environ={}, config_file=repo_config)
    assert settings.default_watchlists
    assert settings.sources_file.is_file()


def test_job_settings_from_the_environment_are_numbers(tmp_path: Path) -> None:
    env = {"AML_SCREEN_JOB_STALE_SECONDS": "30", "AML_SCREEN_JOB_MAX_ATTEMPTS": "5",
           "AML_SCREEN_RETENTION_YEARS": "7"}
    settings = load_settings(environ=env, config_file=tmp_path / "none.toml")
    assert (settings.job_stale_seconds, settings.job_max_attempts,
            settings.retention_years) == (30.0, 5, 7)
    for name, value in (("JOB_STALE_SECONDS", "0"), ("JOB_MAX_ATTEMPTS", "0"),
                        ("JOB_MAX_ATTEMPTS", "three")):
        with pytest.raises(ConfigError):
            load_settings(environ={f"AML_SCREEN_{name}": value},
                          config_file=tmp_path / "none.toml")


def test_single_sign_on_is_off_by_default_and_read_from_file_and_environment(
        tmp_path: Path) -> None:
    default = load_settings(environ={}, config_file=tmp_path / "none.toml")
    assert (default.oidc_enabled, default.local_login, default.oidc_trust_provider_mfa,
            default.oidc_unmapped, default.oidc_groups_claim) == (
        False, True, True, "refuse", "groups")
    config = tmp_path / "aml-screen.toml"
    config.write_text(OIDC + 'oidc_provider_name = "Keycloak"\n'
                      '[oidc_role_groups]\n"/fiu/admins" = "admin"\n'
                      '"/fiu/analysts" = "analyst"\n', encoding="utf-8")
    from_file = load_settings(environ={}, config_file=config)
    assert from_file.oidc_enabled
    assert from_file.oidc_role_groups == (("/fiu/admins", "admin"),
                                          ("/fiu/analysts", "analyst"))
    env = {"AML_SCREEN_OIDC_ROLE_GROUPS": "a=b=supervisor, 0f1e-guid=auditor",
           "AML_SCREEN_OIDC_TRUST_PROVIDER_MFA": "no", "AML_SCREEN_LOCAL_LOGIN": "0",
           "AML_SCREEN_OIDC_UNMAPPED": "analyst"}
    from_env = load_settings(environ=env, config_file=config)
    assert from_env.oidc_role_groups == (("a=b", "supervisor"), ("0f1e-guid", "auditor"))
    assert (from_env.oidc_trust_provider_mfa, from_env.local_login,
            from_env.oidc_unmapped) == (False, False, "analyst")
