"""pytest plugin: the whole test run's sandbox traffic is valid against the official specs.

With `--traffic-check` (`make test` passes it) or SANDBOX_TRAFFIC_CHECK=1, the run records every exchange of the
sandbox (SANDBOX_TRAFFIC_LOG: the path given in the environment, else a new file in the temporary folder; the
variable is set before any test runs, so the in-process sandbox server, pytest-xdist workers and subprocesses
started with the run's environment all append to it). When the session finishes, the log is validated with
tests/sandbox/spec_conformance.py (`validate_run_log`: each response once per provider, method, path, status,
media type and body shape; each request, its parameters and body, once per its own shape and sending test) and
the session fails with a readable report when there is a schema error. What the specs cannot describe (OAuth,
Zoho's 204, Xero's 429, ...) is listed with the reason and allowed, and so is a request a test sends invalid on
purpose (EXPECTED_INVALID_REQUESTS: by test, operation and place, with the reason).

Without the official specs (`specs_dir()`), the check fails the session when CI=true and warns loudly otherwise.
A test that points `settings.SANDBOX_TRAFFIC_LOG` at a log of its own still feeds the run's log too
(sandbox.traffic.log_paths). The `run_all_stack` (tests/stack.py) runs on a fresh clone's defaults with a
traffic log of its own (`stack.traffic_log`), which the demo-world journey validates.
"""

import os
import tempfile
from pathlib import Path

import pytest

OPTION = "--traffic-check"
ENV = "SANDBOX_TRAFFIC_CHECK"
_state = {}


def pytest_addoption(parser):
    parser.addoption(OPTION, action="store_true", default=False,
                     help="record the run's sandbox traffic and validate it against the official specs at the end")


def _enabled(config) -> bool:
    return bool(config.getoption(OPTION) or os.environ.get(ENV, "") not in ("", "0", "false"))


def pytest_configure(config):
    if not _enabled(config) or hasattr(config, "workerinput"):  # an xdist worker inherits the controller's log
        return
    path = os.environ.get("SANDBOX_TRAFFIC_LOG")
    if path:
        Path(path).write_text("")  # this run's traffic only
    else:
        handle, path = tempfile.mkstemp(prefix="sandbox-traffic-", suffix=".jsonl")
        os.close(handle)
    os.environ["SANDBOX_TRAFFIC_LOG"] = path
    _state.clear()
    _state["log"] = Path(path)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    log = _state.get("log")
    if log is None or exitstatus == pytest.ExitCode.INTERRUPTED:
        return
    from tests.sandbox import spec_conformance

    try:
        spec_conformance.specs_dir()
    except FileNotFoundError as missing:
        _state["missing"] = str(missing)
        if os.environ.get("CI") == "true":
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    report = spec_conformance.validate_run_log(log) if log.exists() else None
    _state["report"] = report
    if report is not None and report.errors:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    log = _state.get("log")
    if log is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("sandbox traffic against the official specs")
    if "missing" in _state:
        write(("ERROR (CI=true): " if os.environ.get("CI") == "true" else "WARNING: NOT CHECKED: ")
              + _state["missing"], red=True, bold=True)
        return
    report = _state.get("report")
    if report is None:
        write(f"no traffic was recorded ({log})", yellow=True)
        return
    write(report.describe(), red=bool(report.errors))
    if report.open_findings:
        write(f"{len(report.open_findings)} OPEN PORTAL FINDINGS: invalid requests of the portal, known and not fixed "
              "yet (spec_conformance.OPEN_PORTAL_FINDINGS)", yellow=True, bold=True)
    write(f"log: {log}")
    if report.errors:
        write(f"FAILED: {len(report.errors)} schema errors in the sandbox traffic (the sandbox or the portal's "
              "request is wrong; see sandbox/README.md 'Checks against what nobody here wrote')", red=True, bold=True)
