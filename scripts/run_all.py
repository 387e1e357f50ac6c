"""Run the portal, a Celery worker, Celery Beat and the sandbox together in the foreground.

One Ctrl-C (or SIGTERM) stops them all; if one of them exits, the others are stopped too.
"""

import os
import signal
import subprocess
import sys
import time

PYTHON = sys.executable
HOST = os.environ.get("PORTAL_HOST", "127.0.0.1")
PORT = os.environ.get("PORTAL_PORT", "8000")
SANDBOX_PORT = os.environ.get("SANDBOX_PORT", "8100")


def worker_concurrency() -> str:
    """Two worker processes with Redis; one without. The sync locks live in the cache, and without Redis the
    cache is each process's own memory: two processes could then sync the same module at once."""
    if os.environ.get("WORKER_CONCURRENCY"):
        return os.environ["WORKER_CONCURRENCY"]
    shared = os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    return "2" if shared else "1"


PROCESSES = {
    "web": [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
    "worker": [PYTHON, "-m", "celery", "-A", "syncportal", "worker", "-Q", "realtime,default,bulk",
               "--concurrency", worker_concurrency(), "--loglevel", "INFO"],
    "beat": [PYTHON, "-m", "celery", "-A", "syncportal", "beat", "--loglevel", "INFO"],
    "sandbox": [PYTHON, "manage.py", "runsandbox", "--port", SANDBOX_PORT],
}


def main() -> int:
    children: dict[str, subprocess.Popen] = {}
    for name, command in PROCESSES.items():
        children[name] = subprocess.Popen(command, start_new_session=True)
        print(f"[run_all] started {name} (pid {children[name].pid})", flush=True)

    stopping = False

    def stop(*_):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("[run_all] stopping…", flush=True)
        for proc in children.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while True:
            for name, proc in children.items():
                code = proc.poll()
                if code is not None and not stopping:
                    print(f"[run_all] {name} exited with {code}; stopping the others", flush=True)
                    exit_code = code or 1
                    stop()
            if stopping:
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline and any(p.poll() is None for p in children.values()):
                    time.sleep(0.2)
                for proc in children.values():
                    if proc.poll() is None:
                        os.killpg(proc.pid, signal.SIGKILL)
                return exit_code
            time.sleep(0.5)
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
