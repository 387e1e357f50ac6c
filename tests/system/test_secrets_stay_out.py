"""Secrets stay out of the image and out of the logs: the Docker build context holds no `.env` (.dockerignore),
and the keys of the URLs pasted into Zoho never reach the access logs of runserver or gunicorn."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from tenancy.log_redaction import redact
from tests.stack import free_port, wait_until_answers

ROOT = Path(__file__).resolve().parents[2]


# --- the build context ---------------------------------------------------------------------------------------


def _rules(dockerignore: Path) -> list[tuple[re.Pattern, bool]]:
    """.dockerignore as Docker reads it: Go filepath.Match patterns with `**`, relative to the context root,
    later rules winning, `!` for exceptions."""
    rules = []
    for line in dockerignore.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = line.lstrip("!").strip().strip("/")
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                regex, i = regex + pattern[i:end + 1], end + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((re.compile(regex + r"\Z"), exception))
    return rules


def build_context(root: Path) -> list[str]:
    """The files `docker build` sends from `root`: a file is left out when it or a folder above it matches."""
    rules = _rules(root / ".dockerignore")

    def excluded(relative: str) -> bool:
        parts = relative.split("/")
        result = False
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            for regex, exception in rules:
                if regex.match(prefix):
                    result = not exception
            if result and depth < len(parts):
                # An excluded folder stays excluded unless an exception re-includes something below it.
                if not any(exception for _regex, exception in rules):
                    return True
        return result

    files = []
    for folder, _dirs, names in os.walk(root):
        relative_folder = os.path.relpath(folder, root)
        for name in names:
            relative = os.path.normpath(os.path.join(relative_folder, name)).replace(os.sep, "/")
            if not excluded(relative):
                files.append(relative)
    return sorted(files)


def test_the_build_context_has_no_env_file_nor_local_data(tmp_path):
    (tmp_path / ".dockerignore").write_text((ROOT / ".dockerignore").read_text())
    for name in [".env", ".env.local", ".env.production", ".env.example", "app/.env", "manage.py", "app/views.py",
                 "data/portal.sqlite3", "data/broker/queue/1.msg", ".venv/bin/python", ".git/config",
                 "app/__pycache__/views.cpython-311.pyc", ".pytest_cache/v/cache", "test-artifacts/shot.png",
                 "staticfiles/app.css", "Dockerfile"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("SECRET=1\n" if ".env" in name else "x\n")
    assert build_context(tmp_path) == [".dockerignore", ".env.example", "Dockerfile", "app/views.py", "manage.py"]


def test_the_projects_own_build_context_has_no_secrets():
    context = build_context(ROOT)
    assert "manage.py" in context and "syncportal/settings/production.py" in context
    leaks = [path for path in context if re.search(r"(^|/)\.env(?!\.example$)", path)
             or path.split("/")[0] in {"data", ".venv", ".git", "staticfiles"}]
    assert leaks == []


def test_secrets_reach_the_containers_only_as_environment_variables():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert ".env" not in dockerfile  # nothing copies or reads an env file into the image
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "env_file: .env" in compose  # docker compose passes its lines as environment variables
    assert not re.search(r"volumes:.*\.env", compose)


# --- the access logs -----------------------------------------------------------------------------------------

SECRET = "k3y-" + uuid.uuid4().hex  # unique, so finding it anywhere in a log means it leaked



def _requests(base: str) -> None:
    """The callers of the Zoho URLs: the button (GET, key in the query), the workflow webhook (POST), and a page
    they open that names the key in its Referer. None of these needs a database."""
    organisation = uuid.uuid4()
    session = requests.Session()
    answer = wait_until_answers(f"{base}/healthz-not-here", time.monotonic() + 180, status=None, session=session)
    assert answer is not None, "the server did not start"
    session.get(f"{base}/sync/copy/not-a-uuid/?key={SECRET}&module=accounts&record_id=1", timeout=10)
    session.get(f"{base}/sync/hooks/zoho/{organisation}/?key={SECRET}", timeout=10)
    session.get(f"{base}/static/css/app.css", timeout=10,
                headers={"Referer": f"{base}/sync/copy/{organisation}/?module=accounts&key={SECRET}"})


@pytest.mark.parametrize("server", ["runserver", "gunicorn"])
def test_no_key_reaches_the_access_log(server):
    port = free_port()
    if server == "runserver":
        command = [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"]
        log = _serve_at(command, port)
    else:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        log = _serve_at([gunicorn, "syncportal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                         "--access-logfile", "-"], port)
    assert "/sync/copy/not-a-uuid/?key=[redacted]&module=accounts" in log, log  # the line is there, without the key
    assert "/sync/hooks/zoho/" in log
    assert SECRET not in log


def _serve_at(command: list[str], port: int) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "syncportal.settings.test", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        _requests(f"http://127.0.0.1:{port}")
        time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    return output


def test_tokens_of_reset_and_sign_up_links_are_redacted_too():
    assert redact('"GET /password/reset/MQ/cz4n-0a1b2c/ HTTP/1.1" 302') == '"GET /password/reset/MQ/[redacted]/ HTTP/1.1" 302'
    assert redact("GET /password/reset/MQ/set-password/") == "GET /password/reset/MQ/set-password/"
    assert redact("GET /signup/confirm/MQ/cz4n-0a1b2c/") == "GET /signup/confirm/MQ/[redacted]/"
    assert redact("GET /sync/copy/x/?monkey=1&key=abc") == "GET /sync/copy/x/?monkey=1&key=[redacted]"
