from bench import MODULES, audit_page


def test_the_benchmark_refuses_anything_but_postgresql(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/portal.sqlite3")
    assert audit_page.main() == 2
    assert "DATABASE_URL must point at a PostgreSQL server" in capsys.readouterr().err


def test_the_benchmark_runner_lists_the_audit_page_benchmark():
    assert "bench.audit_page" in MODULES
