"""docker-compose.yml, the Dockerfile and .env.example agree with the code.

Nothing here needs Docker or the database. What the settings require is found by running them
(config/settings/production.py in a subprocess) and what the code reads is found by reading its
source, so none of these lists can drift silently from the code.
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

APP_SERVICES = ("migrate", "web", "worker", "beat")
PRODUCTION_SETTINGS = "config.settings.production"

# Values for the variables docker-compose.yml interpolates, as an operator's .env would hold them.
INTERPOLATION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_SALT": secrets.token_urlsafe(24),
    "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
    "ALLOWED_HOSTS": "casework.example.org",
}

# Documented variables read by something other than the project's Python code.
NON_PYTHON_READERS = {
    "POSTGRES_PASSWORD": "docker-compose.yml",  # the postgres image and DATABASE_URL in compose
    "WEB_CONCURRENCY": "Dockerfile",  # gunicorn reads it as its default number of workers
    "AWS_ACCESS_KEY_ID": "docker-compose.yml",  # boto3 reads the bucket's credentials itself
    "AWS_SECRET_ACCESS_KEY": "docker-compose.yml",
}

ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


# --- helpers -----------------------------------------------------------------------------------


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR, $$."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("plain")
        op, arg = match.group("op"), match.group("arg") or ""
        value = variables.get(name)
        unset_or_empty = value is None or (op is not None and op.startswith(":") and value == "")
        if op in (":-", "-"):
            return arg if unset_or_empty else value
        if op in (":?", "?"):
            if unset_or_empty:
                raise LookupError(f"{name}: {arg}")
            return value
        return value or ""

    pattern = (
        r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<plain>[A-Za-z_]\w*)"
    )
    return re.sub(pattern, substitute, value)


def interpolated_names(text: str) -> set[str]:
    return set(re.findall(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))


def service_environment(service: dict, variables: dict[str, str] | None = None) -> dict[str, str | None]:
    """The service's environment after interpolation; None means passed through from .env/shell."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
    variables = INTERPOLATION if variables is None else variables
    return {key: None if value is None else interpolate(str(value), variables) for key, value in raw.items()}


def command(service: dict) -> list[str]:
    cmd = service.get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def option(args: list[str], *names: str) -> str | None:
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def volume_targets(service: dict) -> dict[str, str]:
    """{container path: volume or host path}."""
    targets = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            targets[volume["target"]] = volume.get("source", "")
        else:
            source, target, *_ = volume.split(":")
            targets[target] = source
    return targets


def clean_env(**extra: str) -> dict[str, str]:
    """A process environment with none of the settings' variables, plus `extra`."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **extra}


def load_production_settings(environment: dict[str, str], *names: str) -> tuple[bool, str, dict]:
    """Import the production settings in a fresh interpreter with exactly `environment`.
    Returns (loaded, error line, {name: value of each setting in `names`})."""
    script = (
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean_env(**{**environment, "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode == 0:
        return True, "", json.loads(result.stdout.strip().splitlines()[-1])
    error = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
    return False, error, {}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, args = line.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(args.split())))
    return instructions


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in dockerfile_instructions():
        if keyword == "ENV":
            for token in shlex.split(args):
                name, _, value = token.partition("=")
                env[name] = value
    return env


def dockerfile_cmd() -> list[str]:
    cmds = [args for keyword, args in dockerfile_instructions() if keyword == "CMD"]
    assert cmds, "the Dockerfile has no CMD"
    return json.loads(cmds[-1])


def documented_variables() -> set[str]:
    """Names in .env.example, whether set (NAME=...) or shown commented out (# NAME=...)."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


_READERS = {
    # django-environ's Env methods
    "str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "db", "db_url",
    "cache", "cache_url", "email", "email_url", "search_url", "path",
    # config/env.py
    "required", "boolean", "integer", "host_list", "database",
    # the standard library
    "getenv",
}  # fmt: skip


def _names_read_in(path: Path, *, readers: set[str]) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            func_name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            on_environ = isinstance(func, ast.Attribute) and ast.unparse(func.value) in {"os.environ", "environ"}
            reads = func_name in readers or (on_environ and func_name in {"get", "setdefault", "pop"})
            if reads and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in {"os.environ", "environ"}:
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # def database(name: str = "DATABASE_URL"): the default is a variable name too.
            positional = node.args.posonlyargs + node.args.args
            pairs = list(zip(positional[len(positional) - len(node.args.defaults) :], node.args.defaults, strict=True))
            pairs += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d]
            for arg, default in pairs:
                if arg.arg == "name" and isinstance(default, ast.Constant):
                    names.add(default.value)
    return {name for name in names if isinstance(name, str) and ENV_NAME.match(name)}


def variables_read_by_the_code() -> dict[str, str]:
    """{variable: first file reading it}: every reader in config/, os.environ reads elsewhere."""
    found: dict[str, str] = {}
    skip = {"tests", "bench", "node_modules", "var", "static", "templates", "docs"}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or relative.parts[0] in skip:
            continue
        readers = _READERS if relative.parts[0] == "config" else {"getenv"}
        for name in _names_read_in(path, readers=readers):
            found.setdefault(name, str(relative))
    return found


# --- the compose file --------------------------------------------------------------------------


def test_compose_defines_every_service():
    services = load_compose()["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(services)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_the_production_settings(name):
    env = service_environment(load_compose()["services"][name])
    assert env.get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS
    assert (ROOT / (PRODUCTION_SETTINGS.replace(".", "/") + ".py")).is_file()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_settings_load_with_exactly_what_compose_provides(name):
    """Start from an empty environment; each time the production settings refuse to load, the
    variable they name must be one compose gives this service. Ends when they load."""
    provided = {k: v for k, v in service_environment(load_compose()["services"][name]).items() if v is not None}
    environment: dict[str, str] = {}
    required: list[str] = []
    for _ in range(25):
        loaded, error, _values = load_production_settings(environment)
        if loaded:
            break
        named = [n for n in re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", error) if n not in environment]
        assert named, f"production settings reject what compose gives {name}: {error}"
        candidates = [n for n in named if n in provided]
        assert candidates, f"production settings need {named[0]}, which compose does not give {name}: {error}"
        environment[candidates[0]] = provided[candidates[0]]
        required.append(candidates[0])
    else:
        pytest.fail(f"production settings never loaded with compose's environment for {name}")
    assert required, "production settings loaded with no environment at all: nothing is required?"


def test_database_url_is_the_postgres_service():
    services = load_compose()["services"]
    postgres_env = service_environment(services["postgres"])
    urls = {service_environment(services[name])["DATABASE_URL"] for name in APP_SERVICES}
    assert len(urls) == 1, f"app services disagree on DATABASE_URL: {urls}"
    db = environ.Env.db_url_config(urls.pop())
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["HOST"] == "postgres" and db["HOST"] in services
    assert db["PORT"] == 5432
    assert db["NAME"] == postgres_env["POSTGRES_DB"]
    assert db["USER"] == postgres_env["POSTGRES_USER"]
    assert db["PASSWORD"] == postgres_env["POSTGRES_PASSWORD"] == INTERPOLATION["POSTGRES_PASSWORD"]


def test_broker_url_is_the_redis_service():
    services = load_compose()["services"]
    urls = set()
    for name in APP_SERVICES:
        env = service_environment(services[name])
        urls.add(env.get("CELERY_BROKER_URL") or env.get("REDIS_URL"))
    assert len(urls) == 1, f"web and the worker must share one broker: {urls}"
    broker = urlsplit(urls.pop())
    assert broker.scheme == "redis"
    assert broker.hostname == "redis" and "redis" in services
    assert broker.port == 6379


@pytest.mark.parametrize(("name", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_commands_load_the_projects_celery_app(name, subcommand):
    import config.celery

    args = command(load_compose()["services"][name])
    assert args[0] == "celery" and subcommand in args
    app_name = option(args, "-A", "--app")
    assert app_name, f"{name} does not say which Celery app to run"
    app = find_app(app_name)  # how `celery -A` itself resolves it
    assert isinstance(app, Celery)
    assert app is config.celery.app


def test_gunicorn_serves_the_projects_wsgi_application():
    web_args = command(load_compose()["services"]["web"])
    assert web_args[0] == "gunicorn"
    assert dockerfile_cmd()[0] == "gunicorn"
    targets = {next(a for a in args[1:] if not a.startswith("-")) for args in (web_args, dockerfile_cmd())}
    assert len(targets) == 1, f"compose and the Dockerfile serve different apps: {targets}"
    module, _, attribute = targets.pop().partition(":")
    path = ROOT / (module.replace(".", "/") + ".py")
    assert path.is_file(), f"{module} does not exist"
    assigned = {
        target.id
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert (attribute or "application") in assigned


def test_web_listens_where_it_is_published():
    web = load_compose()["services"]["web"]
    binds = {option(command(web), "--bind", "-b"), option(dockerfile_cmd(), "--bind", "-b")}
    assert len(binds) == 1, binds
    port = binds.pop().rsplit(":", 1)[1]
    assert any(str(mapping).rsplit(":", 1)[-1] == port for mapping in web.get("ports", []))
    exposed = [args for keyword, args in dockerfile_instructions() if keyword == "EXPOSE"]
    assert port in " ".join(exposed).split()


def test_beat_runs_exactly_once():
    services = load_compose()["services"]
    running_beat = []
    for name, service in services.items():
        args = command(service)
        if args[:1] == ["celery"] and "beat" in args:
            running_beat.append(name)
        if args[:1] == ["celery"] and "worker" in args:
            assert not {"-B", "--beat"} & set(args), f"{name} embeds a second beat in a worker"
    assert running_beat == ["beat"]
    beat = services["beat"]
    assert (beat.get("deploy") or {}).get("replicas", 1) <= 1
    assert beat.get("scale", 1) <= 1


def test_beats_schedule_file_lives_on_a_volume():
    beat = load_compose()["services"]["beat"]
    schedule = option(command(beat), "--schedule", "-s")
    assert schedule
    assert any(Path(schedule).is_relative_to(target) for target in volume_targets(beat))


def test_web_and_worker_share_the_media_directory():
    services = load_compose()["services"]
    media_root = dockerfile_env()["VAR_DIR"] + "/media"  # MEDIA_ROOT's default in config/settings/base.py
    assert "MEDIA_ROOT" not in service_environment(services["web"])
    sources = {volume_targets(services[name]).get(media_root) for name in ("web", "worker")}
    assert len(sources) == 1 and None not in sources, f"web and worker must mount one volume at {media_root}"


def test_healthchecks_gate_start_up():
    services = load_compose()["services"]
    for name in ("web", "postgres", "redis"):
        healthcheck = services[name].get("healthcheck") or {}
        assert healthcheck.get("test") and not healthcheck.get("disable"), f"{name} has no healthcheck"
    for name in ("web", "worker"):
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    migrate = services["migrate"]
    assert command(migrate)[:3] == ["python", "manage.py", "migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate.get("restart", "no") == "no"


def test_web_healthcheck_probes_healthz_on_an_allowed_host():
    web = load_compose()["services"]["web"]
    probe = " ".join(web["healthcheck"]["test"])
    url = urlsplit(re.search(r"https?://[^'\"\s]+", probe).group(0))
    assert resolve(url.path).func.__name__ == "healthz"
    assert str(url.port) == option(command(web), "--bind", "-b").rsplit(":", 1)[1]
    # An operator's own ALLOWED_HOSTS (INTERPOLATION sets one) must not lock the probe out, and the
    # probe is plain HTTP, so it must be exempt from the production HTTPS redirect.
    env = {k: v for k, v in service_environment(web).items() if v is not None}
    env["SECURE_SSL_REDIRECT"] = "true"
    loaded, error, values = load_production_settings(env, "ALLOWED_HOSTS", "SECURE_REDIRECT_EXEMPT")
    assert loaded, error
    assert url.hostname in values["ALLOWED_HOSTS"]
    assert any(re.search(pattern, url.path.lstrip("/")) for pattern in values["SECURE_REDIRECT_EXEMPT"])


def test_compose_holds_no_secrets():
    services = load_compose()["services"]
    for name in APP_SERVICES:
        raw = services[name]["environment"]
        for key in ("SECRET_KEY", "DATABASE_URL"):
            assert "${" in str(raw[key]), f"{name}'s {key} must come from ${{...}} interpolation"
    assert "${SECRET_KEY:?" in COMPOSE_FILE.read_text(), "a missing SECRET_KEY must stop compose"
    assert "${POSTGRES_PASSWORD:?" in str(services["postgres"]["environment"]["POSTGRES_PASSWORD"])


# --- .env.example ------------------------------------------------------------------------------


def test_every_variable_compose_uses_is_documented():
    compose = load_compose()
    used = interpolated_names(COMPOSE_FILE.read_text())
    for name in APP_SERVICES:
        used |= set(service_environment(compose["services"][name]))
    assert used - documented_variables() == set()


def test_every_variable_the_code_reads_is_documented():
    read = variables_read_by_the_code()
    # The scan must see the settings' reads; if these vanish, the scan is broken, not the docs.
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL", "REDIS_URL"} <= set(read)
    missing = {name: where for name, where in read.items() if name not in documented_variables()}
    assert missing == {}, f"read by the code but not in .env.example: {missing}"


def test_every_documented_variable_is_still_read_somewhere():
    read = set(variables_read_by_the_code())
    stale = documented_variables() - read - set(NON_PYTHON_READERS)
    assert stale == set(), f".env.example documents variables nothing reads (renamed?): {stale}"
    for name, reader in NON_PYTHON_READERS.items():
        assert name in (ROOT / reader).read_text(), f"{reader} no longer uses {name}"


def test_env_example_holds_placeholders_not_secrets():
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        assert values.get(name) == "change-me"
    # The placeholder must not be usable: production refuses it as too weak.
    loaded, error, _ = load_production_settings(
        {
            "SECRET_KEY": values["SECRET_KEY"],
            "DATABASE_URL": "postgres://housing@postgres/housing",
            "ALLOWED_HOSTS": "localhost",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
        }
    )
    assert not loaded and "SECRET_KEY" in error


# --- docker-compose 1.29.2 validates the file (no engine needed) -------------------------------

needs_docker_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose is not installed (the Makefile installs it)"
)


def compose_config(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """`docker-compose config -q` on a copy of the file, so a developer's own .env is not read."""
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    return subprocess.run(
        [shutil.which("docker-compose"), "-f", "docker-compose.yml", "config", "-q"],
        cwd=tmp_path,
        env=clean_env(HOME=str(tmp_path), **variables),
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_docker_compose
def test_docker_compose_accepts_the_file(tmp_path):
    result = compose_config(tmp_path, **INTERPOLATION)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_docker_compose
def test_docker_compose_refuses_to_run_without_a_secret_key(tmp_path):
    variables = {k: v for k, v in INTERPOLATION.items() if k != "SECRET_KEY"}
    result = compose_config(tmp_path, **variables)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


# --- the Dockerfile ----------------------------------------------------------------------------


def test_dockerfile_installs_the_pinned_requirements():
    runs = [args for keyword, args in dockerfile_instructions() if keyword == "RUN"]
    assert any(re.search(r"pip install .*-r requirements\.txt", run) for run in runs)
    copies = [args for keyword, args in dockerfile_instructions() if keyword == "COPY"]
    assert any("requirements.txt" in copy.split() or copy.startswith(". ") for copy in copies)


def test_dockerfile_installs_weasyprints_libraries():
    installs = " ".join(args for keyword, args in dockerfile_instructions() if keyword == "RUN" and "apt-get" in args)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in installs.split()


def test_dockerfile_runs_production_settings_as_a_non_root_user():
    assert dockerfile_env().get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS
    users = [args.split(":")[0] for keyword, args in dockerfile_instructions() if keyword == "USER"]
    assert users, "the Dockerfile never leaves root"
    assert users[-1] not in {"root", "0"}


def test_dockerfile_build_time_values_load_the_settings_and_are_not_baked_in():
    """collectstatic runs at build time with throw-away values given to that one RUN line; they
    must satisfy the production settings and must not be ENV/ARG (which would reach the image)."""
    run = next(args for keyword, args in dockerfile_instructions() if keyword == "RUN" and "collectstatic" in args)
    before = run.split("collectstatic")[0]
    build_values = dict(token.split("=", 1) for token in shlex.split(before) if ENV_NAME.match(token.split("=")[0]))
    assert "SECRET_KEY" in build_values
    loaded, error, _ = load_production_settings(build_values)
    assert loaded, f"collectstatic would fail at build time: {error}"
    baked = {args.split("=")[0].split()[0] for keyword, args in dockerfile_instructions() if keyword in {"ENV", "ARG"}}
    baked |= set(dockerfile_env())
    assert not {"SECRET_KEY", "DATABASE_URL"} & baked
