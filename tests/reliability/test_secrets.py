"""No secret in the repository, and no default login in the documented set-ups.

The scan reads every file git tracks (``git ls-files``) and looks for private keys, tokens
in the well-known formats of cloud and code-hosting providers, JSON Web Tokens, URLs with a
password, and secret-named settings given a literal value in configuration files, in the
package, the DAGs, the plugins and the scripts. Tests may hold throw-away credentials for
the services they start themselves (a test Airflow's users, a CSRF key); they are not
scanned for named settings, and the one URL with a password a test uses is listed below.

That ``docker-compose.yml`` takes every secret from ``.env`` (``${NAME:?set in .env}``, no
default, documented empty in ``.env.example``) and that ``.env`` is git-ignored is
``tests/test_compose.py``'s (``test_no_secret_is_written_in_compose``,
``test_secrets_have_no_default_and_are_documented``, ``test_env_file_is_not_committed``).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from reliability_support import REPO

#: Patterns that are a secret wherever they appear.
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,})\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
    "JSON Web Token": re.compile(
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    ),
}
#: A URL with a password after its user name (``user:…@``); a variable or a placeholder
#: in the password's place is not one.
URL_WITH_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@\"'`]*:(?P<password>[^/\s@\"'`]+)@")
PLACEHOLDER = re.compile(r"^(\$\{[^}]+\}|\$[A-Z_]+|\{[^}]*\}|<[^>]*>|…|\.\.\.|\*+|x+)$", re.I)
#: ``NAME = value`` / ``name: value`` where the name says it holds a secret.
SECRET_SETTING = re.compile(
    r"""(?ix)^\s*(export\s+)?["']?
    (?P<name>[A-Z0-9_.-]*(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|FERNET_KEY|PRIVATE_KEY|CREDENTIALS?)[A-Z0-9_]*)
    ["']?\s*[:=]\s*(?P<value>.*?)\s*(\#.*)?$"""
)
#: In Python: a secret-named name or key given a string literal.
SECRET_LITERAL_PY = re.compile(
    r"""(?i)["']?(?P<name>\w*(password|passwd|secret|token|api_?key|fernet_key|private_key)\w*)["']?
    \s*[:=]\s*[rbu]?["'](?P<value>[^"']*)["']""",
    re.X,
)
CONFIG_SUFFIXES = (".env", ".yml", ".yaml", ".ini", ".cfg", ".conf", ".toml", ".json", ".sh", ".md")
CONFIG_NAMES = ("Dockerfile", "Makefile", ".env.example", "run")
PRODUCTION_CODE = ("oneitu_etl/", "dags/", "plugins/", "scripts/")
#: Test-only URLs with a password: unit tests of the warehouse URL an Airflow connection
#: gives (never connected to; one checks that URL-quoting survives).
ALLOWED_URLS = {
    ("tests/dags/test_common_settings.py", "pw"),
    ("tests/dags/test_common_settings.py", "s3cret%21"),
    ("tests/pipeline/test_cli_errors.py", "s3cret"),  # the message must hide it: asserted
}
#: Files that must never be tracked.
FORBIDDEN_FILES = re.compile(
    r"(^|/)(\.env|\.pgpass|id_rsa|id_ed25519|.*\.pem|.*\.key|.*passwords?\.json(\.generated)?|"
    r"credentials(\.json)?|airflow\.cfg|webserver_config\.py)$"
)


def _tracked() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    return [p for p in listed.split("\0") if p]


def _text(path: str) -> str | None:
    data = (REPO / path).read_bytes() if (REPO / path).is_file() else b""
    if b"\0" in data[:8192] or len(data) > 2_000_000:
        return None  # binary (workbooks, images) or large data
    return data.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def tracked() -> dict[str, str]:
    files = {}
    for path in _tracked():
        text = _text(path)
        if text is not None:
            files[path] = text
    assert len(files) > 100  # the scan sees the repository
    return files


def _literal(value: str, *, code: bool = False) -> bool:
    """Whether a setting's value is a written-out secret (not empty, a variable, a call; in
    ``code``, not a name either)."""
    value = value.strip().rstrip(",").strip("\"'")
    if not value or value.lower() in ("none", "null", "~", "true", "false", "''", '""'):
        return False
    if PLACEHOLDER.match(value) or value.startswith(("$", "${", "os.environ", "env(")):
        return False
    if re.search(r"[(\[{]|\bif\b|\.get\b", value):
        return False  # code, not a literal
    if code and re.match(r"^[A-Za-z_][A-Za-z0-9_.]*$", value):
        return False  # a reference to another name
    return len(value) >= 6


def test_no_private_key_or_token_is_tracked(tracked: dict[str, str]) -> None:
    found = [
        f"{path}:{text.count(chr(10), 0, match.start()) + 1}: {kind}"
        for path, text in tracked.items()
        if not path.startswith("tests/reliability/test_secrets.py")
        for kind, pattern in SECRET_PATTERNS.items()
        for match in pattern.finditer(text)
    ]
    assert found == []


def test_no_url_carries_a_password(tracked: dict[str, str]) -> None:
    found = [
        f"{path}: {match.group(0)}"
        for path, text in tracked.items()
        for match in URL_WITH_PASSWORD.finditer(text)
        if not PLACEHOLDER.match(match["password"])
        and (path, match["password"]) not in ALLOWED_URLS
    ]
    assert found == []


def test_no_secret_setting_has_a_written_value(tracked: dict[str, str]) -> None:
    """In configuration files and production code: a secret-named setting is empty, a
    variable reference or a lookup, never a written-out value."""
    found = []
    for path, text in tracked.items():
        name = Path(path).name
        config = name.endswith(CONFIG_SUFFIXES) or name in CONFIG_NAMES
        python = path.startswith(PRODUCTION_CODE) and name.endswith(".py")
        if not (config or python):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = (SECRET_LITERAL_PY.search if python else SECRET_SETTING.match)(line)
            if not match or match["name"].upper().endswith(
                ("_FILE", "_PATH", "_CMD", "_SECRET_NAME")
            ):
                continue  # where the secret is, not the secret
            if _literal(match["value"]):
                found.append(f"{path}:{number}: {match['name']}")
    assert found == []


def test_no_credential_file_is_tracked(tracked: dict[str, str]) -> None:
    assert [p for p in _tracked() if FORBIDDEN_FILES.search(p)] == []


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The patterns are not vacuous: each flags a planted example."""
    key = "-----BEGIN OPENSSH " + "PRIVATE KEY-----"
    planted = {
        "private key": key,
        "AWS access key id": "AKIA" + "ABCDEFGHIJKLMNOP",
        "GitHub token": "ghp_" + "a" * 36,
        "JSON Web Token": "eyJhbGciOiJI" + ".eyJzdWIiOiIx" + ".c2lnbmF0dXJl",
    }
    for kind, text in planted.items():
        assert SECRET_PATTERNS[kind].search(text), kind
    url = URL_WITH_PASSWORD.search("postgresql://oneitu:" + "s3cr3t-pass@db/wh")
    assert url and not PLACEHOLDER.match(url["password"])
    assert PLACEHOLDER.match(
        URL_WITH_PASSWORD.search("redis://:${REDIS_PASSWORD}@redis")["password"]
    )
    assert _literal(SECRET_SETTING.match("AIRFLOW_ADMIN_PASSWORD=" + "hunter22")["value"])
    assert not _literal(SECRET_SETTING.match("AIRFLOW_ADMIN_PASSWORD=")["value"])
    assert not _literal(
        SECRET_SETTING.match("  password: ${AIRFLOW_DB_PASSWORD:?set in .env}")["value"]
    )
    assert not _literal(SECRET_SETTING.match('    secret = os.environ.get("X")')["value"])
    assert _literal(SECRET_LITERAL_PY.search('PASSWORD = "' + 'correct-horse"')["value"])
    assert _literal(SECRET_LITERAL_PY.search('{"api_key": "' + 'abcdef123456"}')["value"])


# -- no default login in the documented set-ups ---------------------------------------------------
def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_no_default_login() -> None:
    """The admin comes from .env (no default), the password file is written from it, and no
    switch lets everyone in as admin; Airflow's example airflow/airflow is nowhere."""
    common = _compose()["x-airflow-common"]["environment"]
    assert common["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].startswith("${AIRFLOW_ADMIN_USER:?")
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS" not in common
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    assert "_AIRFLOW_WWW_USER" not in text  # the official file's airflow/airflow default
    assert not re.search(r":-airflow\}", text)
    init = _compose()["services"]["airflow-init"]["environment"]
    assert init["AIRFLOW_ADMIN_PASSWORD"] == "${AIRFLOW_ADMIN_PASSWORD:?set in .env}"


def test_the_production_docs_turn_default_logins_off() -> None:
    deployment = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "webserver.defaultUser.enabled: false" in deployment
    assert "no default credential" in deployment
