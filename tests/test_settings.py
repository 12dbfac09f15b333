"""Settings come from the environment, parse strictly and pass the deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from casework.documents.sealing import ensure_demo_seal
from casework.env import env_bool, env_choice, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent

# Variables that switch the embedded set-up to production parts, or that a
# developer's shell may have exported: removed before each subprocess.
_SWITCHES = [
    name
    for name in os.environ
    if name.startswith(("DJANGO_", "DATABASE_", "CACHE_", "CELERY_", "STORAGE_S3_", "SEAL_"))
    or name
    in {
        "CASEWORK_VAR_DIR",
        "CASEWORK_PUBLIC_BASE_URL",
        "SMS_BACKEND",
        "IDENTITY_VERIFICATION_BACKEND",
        "TRUSTED_PROXIES",
    }
]


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in _SWITCHES}
    full_env["DJANGO_SETTINGS_MODULE"] = "casework.settings"
    full_env["CASEWORK_VAR_DIR"] = str(tmp_path / "var")
    full_env.update(env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path: Path) -> dict[str, str]:
    # A seal pair made like the demo's but kept outside SEAL_DEMO_DIR stands for the
    # market's own certificate; the check can only tell where the files are.
    cert, key = ensure_demo_seal(tmp_path / "market-seal")
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "casework.example.gov.cn",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://casework.example.gov.cn",
        "DJANGO_HTTPS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "DATABASE_CONN_MAX_AGE": "60",
        "CACHE_URL": "redis://127.0.0.1:6379/15",  # only named: the checks connect to nothing
        "CASEWORK_PUBLIC_BASE_URL": "https://casework.example.gov.cn",
        "SEAL_CERT_FILE": str(cert),
        "SEAL_KEY_FILE": str(key),
        "SMS_BACKEND": "tests.gateways.GatewaySms",
        "IDENTITY_VERIFICATION_BACKEND": "tests.gateways.GatewayIdentity",
    }


# --- the deploy checks --------------------------------------------------------------


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "ERROR",
        env=production_env(tmp_path),
        tmp_path=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Other checks (say, a calendar year not yet published) may warn; security may not.
    assert "security.W" not in output, output
    assert "security.E" not in output, output


# Each stand-in of the embedded set-up, put back into the production variables.
DEMO_PARTS = {
    "core.E012": {"CACHE_URL": ""},  # the per-process memory cache
    "core.E010": {"SMS_BACKEND": "casework.core.sms.OutboxBackend"},
    "core.E011": {
        "IDENTITY_VERIFICATION_BACKEND": "casework.parties.verification.DemoIdentityBackend"
    },
    "documents.E006": {"SEAL_CERT_FILE": "", "SEAL_KEY_FILE": ""},
    "core.E013": {"TWO_FACTOR_DEMO_EXEMPT": "1"},  # `make run` sets it
}


@pytest.mark.parametrize("check_id", DEMO_PARTS)
def test_check_deploy_refuses_each_demo_part_by_name(tmp_path, check_id):
    env = {**production_env(tmp_path), **DEMO_PARTS[check_id]}

    result = manage("check", "--deploy", env=env, tmp_path=tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert check_id in output, output
    assert [other for other in DEMO_PARTS if other != check_id and other in output] == []


def test_check_deploy_warns_when_every_request_opens_a_database_connection(tmp_path):
    env = {**production_env(tmp_path), "DATABASE_CONN_MAX_AGE": "0"}

    result = manage("check", "--deploy", "--fail-level", "ERROR", env=env, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "core.W010" in result.stdout + result.stderr


def test_check_deploy_flags_an_embedded_set_up(tmp_path):
    # Without the production variables the deploy check must complain (no HTTPS, no HSTS):
    # the clean result above is earned by the variables, not by silenced checks.
    result = manage("check", "--deploy", env={}, tmp_path=tmp_path)
    output = result.stdout + result.stderr
    assert "security.W004" in output
    assert result.returncode != 0
    # All but the two-factor exemption, which only `make run` switches on.
    assert all(check_id in output for check_id in DEMO_PARTS if check_id != "core.E013"), output


def test_embedded_set_up_keeps_a_generated_secret_key_under_var(tmp_path):
    result = manage("check", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "var" / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0


# --- strict parsing at start-up -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "yes"),
        ("DJANGO_HTTPS", "sometimes"),
        ("DATABASE_CONN_MAX_AGE", "abc"),
        ("DATABASE_CONN_MAX_AGE", "-1"),
        ("DJANGO_SESSION_SECONDS", "10"),
        ("DOCUMENT_RENDER_SOFT_LIMIT", "1.5"),
        ("CELERY_TASK_EAGER_PROPAGATES", "2"),
        ("DJANGO_LOG_LEVEL", "verbose"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, name, value):
    result = manage("check", env={name: value}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_hsts_variables_are_parsed_strictly_when_https_is_on(tmp_path):
    env = {**production_env(tmp_path), "DJANGO_HSTS_SECONDS": "one year"}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DJANGO_HSTS_SECONDS" in result.stderr


# --- the helpers in casework/env.py --------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "on", " On "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is True


@pytest.mark.parametrize("raw", ["0", "false", "off", "", "  "])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", True) is False


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG") is False
    assert env_bool("X_FLAG", True) is True


@pytest.mark.parametrize("raw", ["yes", "no", "y", "2", "enabled"])
def test_env_bool_rejects_anything_else(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_reads_whole_numbers_and_defaults(monkeypatch):
    monkeypatch.setenv("X_NUM", " 42 ")
    assert env_int("X_NUM", 7) == 42
    monkeypatch.setenv("X_NUM", "")
    assert env_int("X_NUM", 7) == 7
    monkeypatch.delenv("X_NUM")
    assert env_int("X_NUM", 7) == 7


@pytest.mark.parametrize("raw", ["abc", "1.5", "10s", "0x10"])
def test_env_int_rejects_what_is_not_a_whole_number(monkeypatch, raw):
    monkeypatch.setenv("X_NUM", raw)
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 7)


def test_env_int_enforces_the_minimum(monkeypatch):
    monkeypatch.setenv("X_NUM", "4")
    with pytest.raises(ImproperlyConfigured, match="X_NUM=4: must be at least 5"):
        env_int("X_NUM", 60, minimum=5)
    monkeypatch.setenv("X_NUM", "5")
    assert env_int("X_NUM", 60, minimum=5) == 5


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example.cn, ,b.example.cn ,")
    assert env_list("X_LIST") == ["a.example.cn", "b.example.cn"]
    monkeypatch.setenv("X_LIST", "")
    assert env_list("X_LIST", ["fallback"]) == []
    monkeypatch.delenv("X_LIST")
    assert env_list("X_LIST", ["fallback"]) == ["fallback"]


def test_env_str_strips_and_defaults(monkeypatch):
    monkeypatch.setenv("X_STR", "  value \n")
    assert env_str("X_STR") == "value"
    monkeypatch.delenv("X_STR")
    assert env_str("X_STR", "default") == "default"


def test_env_choice_accepts_only_the_choices(monkeypatch):
    monkeypatch.delenv("X_CHOICE", raising=False)
    assert env_choice("X_CHOICE", ("a", "b"), "a") == "a"
    monkeypatch.setenv("X_CHOICE", "b")
    assert env_choice("X_CHOICE", ("a", "b"), "a") == "b"
    monkeypatch.setenv("X_CHOICE", "c")
    with pytest.raises(ImproperlyConfigured, match="X_CHOICE"):
        env_choice("X_CHOICE", ("a", "b"), "a")


# --- language, time zone, embedded defaults --------------------------------------------


def test_chinese_first_english_second_china_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    codes = [code for code, _ in settings.LANGUAGES]
    assert codes[0] == "zh-hans"
    assert "en" in codes


def test_celery_runs_in_process_without_a_broker(tmp_path):
    env = {**os.environ, "CASEWORK_VAR_DIR": str(tmp_path)}
    env.pop("CELERY_BROKER_URL", None)
    code = "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().endswith("True")


def test_every_beat_task_exists():
    import importlib

    from casework import celery_app

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        importlib.import_module(entry["task"].rsplit(".", 1)[0])
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks


def _database_settings(tmp_path, **env) -> str:
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    return manage("shell", "-c", code, env=env, tmp_path=tmp_path).stdout.strip().splitlines()[-1]


def test_a_database_server_keeps_checked_connections_for_a_minute(tmp_path):
    # Checked before use: the first request after a PostgreSQL restart gets a new
    # connection instead of failing on the dead one.
    server = "postgres://casework@127.0.0.1:5432/casework"
    assert _database_settings(tmp_path, DATABASE_URL=server) == "60 True"
    assert _database_settings(tmp_path, DATABASE_URL=server, DATABASE_CONN_MAX_AGE="0") == (
        "0 True"
    )
    assert _database_settings(tmp_path) == "0 True"  # SQLite: a file, nothing to keep
