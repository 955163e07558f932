"""docker-compose.yml, the Dockerfile and .env.example, checked structurally.

There is no Docker engine on the project's machines, so these tests read the files: the
services of Airflow's official 3.x layout, the image pinned to the Airflow version of
``constraints.txt``, every ``AIRFLOW__SECTION__KEY`` a real Airflow setting, every mounted
host path present in the repository (or an override documented in ``.env.example``), and no
secret written into the compose file.
"""

from __future__ import annotations

import importlib.metadata
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

AIRFLOW_SERVICES = [
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
]
REQUIRED_SERVICES = ["postgres", "warehouse-db", "redis", *AIRFLOW_SERVICES]
#: Long-running services that other services wait for, or that an operator watches.
HEALTH_CHECKED = [s for s in REQUIRED_SERVICES if s != "airflow-init"]
PIPELINE_ENV = ["ONEITU_LANDING", "ONEITU_OUT", "ONEITU_DB_URL", "ONEITU_ARCHIVE"]
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY", re.IGNORECASE)
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}; $$ is a literal $.
VARIABLE = re.compile(
    r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)
ONLY_VARIABLE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}$")
URL_PASSWORD = re.compile(r"://[^:/@\s]*:(?P<password>[^@\s]+)@")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def pinned_airflow_version() -> str:
    text = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    match = re.search(r"^apache-airflow==(\S+)$", text, re.MULTILINE)
    assert match, "constraints.txt must pin apache-airflow"
    return match[1]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def airflow_options() -> set[tuple[str, str]]:
    """Every (section, option) Airflow knows: core's config.yml plus the installed providers'.

    Read from the installed distributions' files, without importing Airflow (importing it
    would initialise its configuration and home folder).
    """
    core = importlib.metadata.distribution("apache-airflow-core")
    config_yml = Path(str(core.locate_file("airflow/config_templates/config.yml")))
    sections: dict[str, Any] = dict(yaml.safe_load(config_yml.read_text(encoding="utf-8")))
    prefix = "apache-airflow-providers-"
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if not name.startswith(prefix):
            continue
        package = name.removeprefix(prefix).replace("-", "/")
        info_file = Path(str(dist.locate_file(f"airflow/providers/{package}/get_provider_info.py")))
        if info_file.exists():
            info = runpy.run_path(str(info_file))["get_provider_info"]()
            for section, body in (info.get("config") or {}).items():
                sections.setdefault(section, {"options": {}})
                sections[section]["options"] = {
                    **(sections[section].get("options") or {}),
                    **(body.get("options") or {}),
                }
    return {
        (section, option)
        for section, body in sections.items()
        for option in (body.get("options") or {})
    }


def test_required_services_exist(services: dict[str, Any]) -> None:
    missing = [s for s in REQUIRED_SERVICES if s not in services]
    assert not missing


def test_airflow_services_share_the_common_anchor(compose: dict[str, Any], services: dict) -> None:
    common = compose["x-airflow-common"]
    for name in AIRFLOW_SERVICES:
        assert services[name]["image"] == common["image"], name
        assert services[name]["build"] == common["build"], name
        assert environment(services[name])["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_image_is_pinned_to_the_constrained_airflow_version(compose: dict[str, Any]) -> None:
    version = pinned_airflow_version()
    assert version == "3.3.2"
    python = re.search(
        r'requires-python\s*=\s*">=(\d+\.\d+)', (ROOT / "pyproject.toml").read_text()
    )
    assert python
    base = re.findall(r"^FROM\s+(\S+)", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert base == [f"apache/airflow:{version}-python{python[1]}"]
    tag = compose["x-airflow-common"]["image"].rsplit(":", 1)[1]
    assert tag == version or tag.startswith(f"{version}-")
    assert compose["x-airflow-common"]["build"]["dockerfile"] == "Dockerfile"


def test_dockerfile_installs_the_project_with_the_committed_constraints() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"pip install\b[^\n]*-c constraints\.txt (-e )?\.(\s|$)", text)
    assert "pip check" in text
    for sources in re.findall(r"^COPY\s+(?:--\S+\s+)*(.+)\s+\S+$", text, re.MULTILINE):
        for source in sources.split():
            if not any(c in source for c in "*?["):  # a glob may match nothing
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_celery_redis_and_two_separate_postgres(services: dict[str, Any]) -> None:
    env = environment(services["airflow-worker"])
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert "@redis:" in env["AIRFLOW__CELERY__BROKER_URL"]
    metadata = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    warehouse = env["ONEITU_DB_URL"]
    assert warehouse.startswith("postgresql+psycopg://")
    assert "@postgres:" in metadata and "@warehouse-db:" in warehouse
    assert services["postgres"]["volumes"] != services["warehouse-db"]["volumes"]


def test_worker_scales(services: dict[str, Any]) -> None:
    worker = services["airflow-worker"]
    assert "container_name" not in worker
    assert "ports" not in worker


def test_health_checks_and_start_order(services: dict[str, Any]) -> None:
    for name in HEALTH_CHECKED:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        for backing in ("postgres", "redis", "warehouse-db"):
            assert depends[backing]["condition"] == "service_healthy", (name, backing)
        if name != "airflow-init":
            assert depends["airflow-init"]["condition"] == "service_completed_successfully"


def test_every_airflow_setting_exists(services: dict[str, Any]) -> None:
    options = airflow_options()
    assert ("core", "executor") in options and ("celery", "broker_url") in options
    unknown = set()
    for service in services.values():
        for key in environment(service):
            if key.startswith("AIRFLOW__"):
                section, _, option = key.removeprefix("AIRFLOW__").partition("__")
                if (section.lower(), option.lower()) not in options:
                    unknown.add(key)
    assert not unknown


def split_volume(volume: str) -> tuple[str, str]:
    """``source:target[:mode]`` -> (source, target); a source may be a ``${VAR:-default}``."""
    variable = VARIABLE.match(volume)
    head = variable.group(0) if variable else ""
    source, target, *_ = [
        head + part if i == 0 else part for i, part in enumerate(volume[len(head) :].split(":"))
    ]
    return source, target


def test_the_pipeline_gets_its_settings(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        mounts = {split_volume(volume)[1] for volume in services[name]["volumes"]}
        for key in PIPELINE_ENV:
            assert env.get(key), (name, key)
        for key in ("ONEITU_LANDING", "ONEITU_OUT", "ONEITU_ARCHIVE", "ONEITU_EXPECTATIONS"):
            assert env[key] in mounts, (name, key)
        assert "/opt/airflow/dags" in mounts


def test_mounted_host_paths_exist_or_are_documented(
    compose: dict[str, Any], services: dict[str, Any], env_example: dict[str, str]
) -> None:
    named = set(compose.get("volumes") or {})
    sources = [split_volume(v)[0] for s in services.values() for v in s.get("volumes", [])]
    for source in sources:
        variable = VARIABLE.fullmatch(source)
        if variable:
            assert variable["op"] == ":-", source
            assert env_example.get(variable["name"]) == variable["arg"], (
                f"{variable['name']} must be documented in .env.example with its default"
            )
        elif source.startswith((".", "/")):
            assert (ROOT / source).resolve().is_relative_to(ROOT), source
            assert (ROOT / source).exists(), f"{source} is not in the repository"
        else:
            assert source in named, f"volume {source} is not declared"


def all_strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in all_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in all_strings(value)]
    return [str(node)] if node is not None else []


def test_no_secret_is_written_in_compose(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key) and not key.endswith(("_FILE", "_PATH", "_CMD")):
                assert ONLY_VARIABLE.match(value), f"{name}: {key} must come from .env"
    for text in all_strings(services):
        for match in URL_PASSWORD.finditer(text):
            assert ONLY_VARIABLE.match(match["password"]), f"password written in {text}"


def test_secrets_have_no_default_and_are_documented(env_example: dict[str, str]) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    references = list(VARIABLE.finditer(text))
    required = {m["name"] for m in references if m["op"] == ":?"}
    assert {
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW_DB_PASSWORD",
        "WAREHOUSE_DB_PASSWORD",
        "AIRFLOW_ADMIN_USER",
        "AIRFLOW_ADMIN_PASSWORD",
    } <= required
    for match in references:
        assert match["name"] in env_example, f"{match['name']} is not in .env.example"
        if SECRET_NAME.search(match["name"]) or match["name"] in required:
            assert match["op"] == ":?", f"{match['name']} must not have a default"
    for name in required:
        assert env_example[name] == "", f".env.example must leave {name} empty"
    assert "airflow:airflow@" not in text


def test_env_file_is_not_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
