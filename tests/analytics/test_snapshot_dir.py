"""Where snapshots live by default: beside a SQLite file, else one folder per database
in the working directory — two PostgreSQL databases never share a merchant's snapshot
(a stale one answered a live segment of a fresh database with another's members)."""

from pathlib import Path

from siyu.analytics.snapshot import default_dir


def test_sqlite_snapshots_sit_beside_the_database_file(tmp_path):
    assert default_dir(f"sqlite:///{tmp_path}/shop.db") == tmp_path / "siyu-analytics"


def test_each_server_database_gets_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = default_dir("postgresql+psycopg://postgres:secret@127.0.0.1:5432/shop_a")
    b = default_dir("postgresql+psycopg://postgres:secret@127.0.0.1:5432/shop_b")
    assert a != b and a.parent == b.parent == Path(tmp_path) / "siyu-analytics"
    assert a.name.startswith("shop_a-") and "secret" not in str(a)
    # the password does not change the folder; the host does
    assert default_dir("postgresql+psycopg://postgres:other@127.0.0.1:5432/shop_a") == a
    assert default_dir("postgresql+psycopg://postgres@10.0.0.2:5432/shop_a") != a
