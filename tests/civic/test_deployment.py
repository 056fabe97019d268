"""The production configuration: `check --deploy`, the static files build, and the files that
describe the deployment (.env.example, compose.yaml, the Docker entry point)."""

import ast
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


# The suite's own settings module and TESTING, and the browser tests' permission for sync calls
# from async contexts: a real deployment has none of them, so the subprocess must not inherit them.
_NOT_INHERITED = ("TESTING", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "example.org",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_SSL_REDIRECT": "1",
            "SECURE_COOKIES": "1",
        }
    )
    env.update(extra)
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_catches_an_insecure_configuration():
    env = _production_env(SECURE_HSTS_SECONDS="0", SECURE_COOKIES="0")
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W012" in result.stderr  # session cookie over plain http


def test_settings_refuse_to_start_without_a_secret_key():
    env = _production_env(SECRET_KEY="")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _database_options(**extra) -> dict:
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    env = _production_env(DATABASE_URL="postgres://civic@127.0.0.1:5432/civic", **extra)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "civic.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


def test_postgresql_prepares_hot_statements_unless_a_pooler_forbids_it():
    assert _database_options() == {"server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(DB_SERVER_SIDE_BINDING="0") == {"prepare_threshold": None}
    # Behind PgBouncer in transaction mode: no binding unless asked, and asking is refused.
    assert _database_options(DB_TRANSACTION_POOLING="1") == {"prepare_threshold": None}


def test_collectstatic_builds_the_hashed_compressed_files(tmp_path):
    # What the Docker image does at build time; fails on a stylesheet pointing at a missing file.
    result = _manage(
        "collectstatic", "--no-input", "-v", "0", env=_production_env(STATIC_ROOT=str(tmp_path))
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hashed = list((tmp_path / "frontend" / "css").glob("site.*.css"))
    assert hashed, "no hashed copy of site.css"
    assert (tmp_path / "frontend" / "css" / "site.css.gz").exists()


def test_every_setting_read_from_the_environment_is_documented():
    settings_source = (ROOT / "civic" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", settings_source))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", example, flags=re.M))
    assert len(read) > 40  # the pattern still finds the settings
    missing = sorted(read - documented)
    assert not missing, f"add these to .env.example with a comment: {missing}"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_file_describes_the_whole_stack():
    services = _compose()["services"]
    assert set(services) == {
        "proxy",
        "varnish",
        "balancer",
        "web",
        "migrate",
        "worker",
        "beat",
        "pgbouncer",
        "db",
        "redis",
    }
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["worker"]["command"][:4] == ["celery", "-A", "civic", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "civic", "beat"]
    for name in ("web", "worker", "beat"):
        assert services[name]["env_file"] == ".env"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ("db", "redis", "worker"):
        assert services[name]["healthcheck"]["test"]


def _pinned(image: str) -> bool:
    name, _sep, tag = image.partition(":")
    return bool(tag) and tag not in {"latest", "stable", "fresh"} and any(c.isdigit() for c in tag)


def test_compose_scales_the_web_tier_behind_varnish_and_nginx():
    services = _compose()["services"]
    # TLS proxy -> Varnish -> nginx (in Varnish's network, where the VCL's backend points).
    proxy = services["proxy"]
    assert "./docs/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "docs" / "Caddyfile").read_text()
    assert "reverse_proxy {$UPSTREAM:varnish:80}" in caddyfile
    # Every municipality's host name is a site address (a certificate each); the old
    # one-name SITE_DOMAIN still fills it.
    assert caddyfile.count("{$SITE_DOMAINS:localhost} {") == 1
    assert proxy["environment"]["SITE_DOMAINS"] == "${SITE_DOMAINS:-${SITE_DOMAIN:-localhost}}"
    assert "ports" not in services["varnish"] and "ports" not in services["balancer"]
    assert services["varnish"]["image"].startswith("varnish:") and _pinned(
        services["varnish"]["image"]
    )
    assert "./docs/varnish.vcl:/etc/varnish/default.vcl:ro" in services["varnish"]["volumes"]
    assert services["varnish"]["command"] == ["-a", "ban=:6091"]
    assert services["balancer"]["network_mode"] == "service:varnish"
    assert "./docs/nginx.conf:/etc/nginx/nginx.conf:ro" in services["balancer"]["volumes"]
    nginx = (ROOT / "docs" / "nginx.conf").read_text()
    vcl = (ROOT / "docs" / "varnish.vcl").read_text()
    assert "listen 127.0.0.1:8000;" in nginx and "http://web:8000" in nginx
    assert '.host = "127.0.0.1";' in vcl and '.port = "8000";' in vcl
    assert 'local.socket != "ban"' in vcl
    # Many web servers, no published port, each counting Caddy, Varnish and nginx as proxies.
    web = services["web"]
    assert "replicas" in web["deploy"] and "ports" not in web
    assert web["environment"]["TRUSTED_PROXY_COUNT"] == "3"
    assert web["environment"]["HTTP_CACHE_PURGE_URLS"] == "http://varnish:6091/"
    # Replicas never migrate at the same moment: one service does it before any starts.
    assert "RUN_MIGRATIONS" not in web["environment"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"].get("migrate", {}).get("condition")
        assert name == "beat" or condition == "service_completed_successfully"


def test_compose_pools_database_connections_in_transaction_mode():
    services = _compose()["services"]
    pgbouncer = services["pgbouncer"]
    assert _pinned(pgbouncer["image"]) and "pgbouncer" in pgbouncer["image"]
    assert pgbouncer["environment"]["POOL_MODE"] == "transaction"
    assert "ports" not in pgbouncer
    for name in ("web", "worker"):
        environment = services[name]["environment"]
        assert "@pgbouncer:5432/" in environment["DATABASE_URL"]
        assert environment["DB_TRANSACTION_POOLING"] == "1"
        # Whatever .env says: prepared statements cannot go through the pooler.
        assert environment["DB_SERVER_SIDE_BINDING"] == "0"
    # Schema changes go straight to PostgreSQL.
    migrate = services["migrate"]["environment"]
    assert "@db:5432/" in migrate["DATABASE_URL"]
    assert migrate["DB_TRANSACTION_POOLING"] == "0"


def test_every_variable_compose_reads_is_in_the_env_example():
    text = (ROOT / "compose.yaml").read_text()
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?\}", text))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", example, flags=re.M))
    assert read and not sorted(read - documented)


@pytest.mark.parametrize("script", ["bin/docker-entrypoint", "bin/healthcheck"])
def test_container_scripts_are_executable(script):
    assert (ROOT / script).stat().st_mode & stat.S_IXUSR


def test_dockerfile_builds_from_the_lock_file_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER civic$", dockerfile, flags=re.M)
    assert "HEALTHCHECK" in dockerfile
    assert "gunicorn civic.wsgi:application" in dockerfile
