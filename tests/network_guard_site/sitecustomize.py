"""The network guard's core: a Python process of the test run may only connect to a TCP port that the run itself
opened, or to a service named by the configured URLs (DATABASE_URL, CELERY_BROKER_URL, REDIS_URL…).

Standard library only: this file is also Python's `sitecustomize` in every process the test run starts
(tests/network_guard.py puts this folder first on PYTHONPATH for them), so the web server, Celery worker, Beat
and sandbox of a `make run` stack, a benchmark's child and its servers are guarded too. It does nothing in a process
whose environment does not name a port registry (SYNCPORTAL_NETWORK_GUARD_PORTS).

* Every TCP port a guarded process binds (a live server, the sandbox's server thread, `free_port()`, a child's
  runserver) is written to the registry file, one port a line; every guarded process of the run reads it.
* A connection to any other port, on any address, is refused before a packet is sent (ConnectionRefusedError
  naming the address). The test process fails the test that was running; a child process appends the refusal to
  the report file (SYNCPORTAL_NETWORK_GUARD_REPORT), which the test process reads after each test.
* A name is resolved only when it is loopback (localhost), numeric, this machine's own name or the host of a
  configured URL; a name under the reserved `.invalid` domain (RFC 2606) fails at once by design (the test
  settings' PORTAL_BASE_URL); any other name is refused without asking a DNS server.
"""

import errno
import ipaddress
import os
import socket
import sys
import threading
from urllib.parse import urlsplit

REGISTRY_VARIABLE = "SYNCPORTAL_NETWORK_GUARD_PORTS"
REPORT_VARIABLE = "SYNCPORTAL_NETWORK_GUARD_REPORT"
URL_VARIABLES = ("DATABASE_URL", "SANDBOX_DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL")
DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "pgsql": 5432, "redis": 6379, "rediss": 6379,
                 "amqp": 5672, "mysql": 3306}
UNREACHABLE_DOMAIN = ".invalid"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_bind = socket.socket.bind
_real_getaddrinfo = socket.getaddrinfo

_lock = threading.Lock()
_ports: set[int] = set()
_attempts: list[str] = []
_state: dict = {"registry": None, "report": None, "endpoints": set(), "addresses": None, "installed": False}


def configured_endpoints(environ) -> set[tuple[str, int]]:
    """(host, port) of every service the configured URLs name."""
    endpoints = set()
    for variable in URL_VARIABLES:
        url = environ.get(variable, "")
        try:
            parts = urlsplit(url)
            port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            continue
        if parts.hostname and port:
            endpoints.add((parts.hostname.lower(), port))
    return endpoints


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).split("%")[0].rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost") or host == "":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _registered_ports() -> set[int]:
    path = _state["registry"]
    ports = set()
    if path:
        try:
            with open(path) as registry:
                ports = {int(line) for line in registry if line.strip().isdigit()}
        except FileNotFoundError:
            pass
    return ports


def _endpoint_addresses() -> set[tuple[str, int]]:
    """The configured endpoints with their hosts resolved (once), so a connection by address matches."""
    if _state["addresses"] is None:
        addresses = set()
        for host, port in _state["endpoints"]:
            addresses.add((host, port))
            try:
                for info in _real_getaddrinfo(host, port, type=socket.SOCK_STREAM):
                    addresses.add((info[4][0], port))
            except OSError:
                pass
        _state["addresses"] = addresses
    return _state["addresses"]


def allowed(host, port) -> bool:
    """May a process of the test run connect to host:port?"""
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).split("%")[0].lower()
    if _is_local(host):
        if port in _ports:
            return True
        if any(_is_local(h) and p == port for h, p in _state["endpoints"]):
            return True
        fresh = _registered_ports()  # opened by another process of the run since this one last looked
        with _lock:
            _ports.update(fresh)
        return port in fresh
    return (host, port) in _endpoint_addresses()


def _describe_process() -> str:
    return f"pid {os.getpid()}: {' '.join(os.path.basename(arg) if i == 0 else arg for i, arg in enumerate(sys.argv))}"


def _refuse(what: str) -> None:
    with _lock:
        _attempts.append(what)
    report = _state["report"]
    if report:
        try:
            with open(report, "a") as handle:
                handle.write(f"{what} ({_describe_process()[:200]})\n")
        except OSError:
            pass


def _check(sock, address) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        if not allowed(host, port):
            shown = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
            _refuse(shown)
            raise ConnectionRefusedError(
                errno.ECONNREFUSED,
                f"tests/network_guard.py: refused a connection to {shown}, a port the test run did not start "
                "(only ports the run's own servers opened and the configured DATABASE_URL/CELERY_BROKER_URL/"
                "REDIS_URL services may be reached)")


def _guarded_connect(self, address):
    _check(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _check(self, address)
    return _real_connect_ex(self, address)


def register_port(port: int) -> None:
    """A port the test run opened (or reserved for a server it starts): every process of the run may reach it."""
    with _lock:
        if port in _ports:
            return
        _ports.add(port)
    path = _state["registry"]
    if path:
        with open(path, "a") as registry:
            registry.write(f"{port}\n")


def _guarded_bind(self, address):
    result = _real_bind(self, address)
    if self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            port = self.getsockname()[1]
        except OSError:
            port = 0
        if port:
            register_port(port)
    return result


def _resolvable(name: str) -> bool:
    name = name.rstrip(".").lower()
    if _is_local(name):
        return True
    try:
        ipaddress.ip_address(name.split("%")[0])
        return True
    except ValueError:
        pass
    if any(name == host for host, _ in _state["endpoints"]):
        return True
    return name in {socket.gethostname().lower(), socket.gethostname().split(".")[0].lower()}


def _guarded_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str):
        if name.rstrip(".").lower().endswith(UNREACHABLE_DOMAIN):
            raise socket.gaierror(socket.EAI_NONAME, f"{name} is unreachable by design (test settings)")
        if not _resolvable(name):
            _refuse(f"a DNS lookup of {name}")
            raise socket.gaierror(socket.EAI_NONAME, f"tests/network_guard.py: refused to resolve {name}: the test "
                                                     "run reaches only its own servers on this machine")
    return _real_getaddrinfo(host, *args, **kwargs)


def install(registry: str, report: str | None, environ=os.environ) -> None:
    """Guard this process: `registry` is the shared file of the run's ports, `report` where refusals are noted."""
    _state.update(registry=registry, report=report, endpoints=configured_endpoints(environ), addresses=None)
    _ports.update(_registered_ports())
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.socket.bind = _guarded_bind
    socket.getaddrinfo = _guarded_getaddrinfo
    _state["installed"] = True


def uninstall() -> None:
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex
    socket.socket.bind = _real_bind
    socket.getaddrinfo = _real_getaddrinfo
    _state["installed"] = False


def take_attempts() -> list[str]:
    """The refused addresses since the last call (and forget them)."""
    with _lock:
        taken = list(_attempts)
        _attempts.clear()
    return taken


if __name__ == "sitecustomize" and os.environ.get(REGISTRY_VARIABLE):
    install(os.environ[REGISTRY_VARIABLE], os.environ.get(REPORT_VARIABLE))
