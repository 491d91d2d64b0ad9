"""Parquet snapshots of one merchant's data, and DuckDB over them.

Layout: `<analytics dir>/merchant-<id>/` holds `manifest.json` and one folder per table
(`members/`, `member_tags/`, `groups/`, `memberships/`, `orders/`, `order_lines/`,
`events/`), plus `states.parquet` (the member states of the last computation). Nothing
of another merchant is ever read or written there: every database read is filtered by
merchant, and every DuckDB view lists this folder's files only.

A refresh (see `source` for what is read) is incremental and idempotent: running it
twice reads nothing new the second time. Files are written under new names and the
manifest is swapped atomically, so a query that read the previous manifest still finds
its files (they are deleted one refresh later); a crash leaves the previous snapshot
whole. One refresh per merchant at a time (a file lock).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from siyu.analytics import source
from siyu.analytics.source import CHUNK, TableSpec

VERSION = 1
BATCH = 200_000  # rows per read and per file of an append-only table
SMALL = 50_000  # append-only parts smaller than this are merged when there are many
MERGE_AT = 16


def merchant_dir(base: str | Path, merchant_id: int) -> Path:
    return Path(base) / f"merchant-{int(merchant_id)}"


def default_dir(database_url: str) -> Path:
    """`siyu-analytics` beside the SQLite file, else `siyu-analytics/<database>-<key>` in
    the working directory: one folder per database (the key is a hash of its URL without
    the password), so two databases served from one directory never share a merchant's
    snapshot."""
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        return Path(database_url[len("sqlite:///"):]).resolve().parent / "siyu-analytics"
    url = make_url(database_url)
    key = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    return Path.cwd() / "siyu-analytics" / f"{url.database or 'db'}-{key}"


def _empty_manifest(merchant_id: int) -> dict:
    return {"version": VERSION, "merchant_id": merchant_id, "generation": 0,
            "refreshed_at": None, "tables": {}, "trash": []}


def read_manifest(folder: Path) -> dict | None:
    try:
        doc = json.loads((folder / "manifest.json").read_text("utf-8"))
    except FileNotFoundError:
        return None
    return doc if doc.get("version") == VERSION else None


def _write_json(path: Path, doc: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, sort_keys=True), "utf-8")
    os.replace(tmp, path)


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=256 * 1024)
    os.replace(tmp, path)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class RefreshReport:
    merchant_id: int
    seconds: float = 0.0
    rows_read: dict[str, int] = field(default_factory=dict)
    files_written: int = 0
    rows_total: dict[str, int] = field(default_factory=dict)
    full: bool = False

    def as_dict(self) -> dict:
        return {"merchant_id": self.merchant_id, "seconds": round(self.seconds, 3),
                "rows_read": self.rows_read, "rows_total": self.rows_total,
                "files_written": self.files_written, "full": self.full}


def refresh(engine: Engine, base: str | Path, merchant_id: int, *, full: bool = False,
            now: datetime | None = None) -> RefreshReport:
    """Bring the merchant's snapshot up to date with the database."""
    began = time.perf_counter()
    folder = merchant_dir(base, merchant_id)
    report = RefreshReport(merchant_id, full=full)
    with _locked(folder):
        old = None if full else read_manifest(folder)
        manifest = old or _empty_manifest(merchant_id)
        previous_trash = list(manifest.get("trash", []))
        if full and (prev := read_manifest(folder)):
            previous_trash += [f["file"] for t in prev["tables"].values()
                               for f in t["files"].values()]
            manifest["generation"] = prev["generation"]
        manifest["generation"] += 1
        manifest["trash"] = []
        gen = manifest["generation"]
        with source.reading(engine) as reader:
            for spec in source.specs(reader.dialect):
                entry = manifest["tables"].setdefault(spec.name, {"files": {}, "watermark": 0})
                if spec.append_only:
                    n = _append(reader, spec, merchant_id, folder, entry, gen, manifest, report)
                else:
                    n = _sync_chunks(reader, spec, merchant_id, folder, entry, gen, manifest,
                                     report)
                report.rows_read[spec.name] = n
                report.rows_total[spec.name] = sum(f["rows"] for f in entry["files"].values())
        manifest["refreshed_at"] = (now or datetime.now(UTC)).isoformat()
        _write_json(folder / "manifest.json", manifest)
        for name in previous_trash:  # last generation's leftovers: nobody reads them now
            (folder / name).unlink(missing_ok=True)
    report.seconds = time.perf_counter() - began
    return report


def _sync_chunks(reader, spec: TableSpec, merchant_id: int, folder: Path, entry: dict,
                 gen: int, manifest: dict, report: RefreshReport) -> int:
    current = reader.fingerprints(spec, merchant_id)
    files = entry["files"]
    read = 0
    for key in [k for k in files if int(k) not in current]:  # every row of the range gone
        manifest["trash"].append(files.pop(key)["file"])
    for chunk, fp in sorted(current.items()):
        key = str(chunk)
        if key in files and files[key]["fp"] == fp:
            continue
        table = reader.read_range(spec, merchant_id, chunk * CHUNK, (chunk + 1) * CHUNK)
        name = f"{spec.name}/c{chunk:07d}-g{gen}.parquet"
        write_parquet(table, folder / name)
        if key in files:
            manifest["trash"].append(files[key]["file"])
        files[key] = {"file": name, "rows": table.num_rows, "fp": fp}
        read += table.num_rows
        report.files_written += 1
    return read


def _append(reader, spec: TableSpec, merchant_id: int, folder: Path, entry: dict, gen: int,
            manifest: dict, report: RefreshReport) -> int:
    files = entry["files"]
    read = 0
    for table in reader.read_after(spec, merchant_id, entry["watermark"], BATCH):
        first, last = table["id"][0].as_py(), table["id"][-1].as_py()
        name = f"{spec.name}/p{first:012d}-{last:012d}-g{gen}.parquet"
        write_parquet(table, folder / name)
        files[str(first)] = {"file": name, "rows": table.num_rows, "last": last}
        entry["watermark"] = last
        read += table.num_rows
        report.files_written += 1
    small = sorted((k for k, f in files.items() if f["rows"] < SMALL), key=int)
    if len(small) >= MERGE_AT:  # many refreshes leave many small parts: merge them
        parts = [pq.read_table(folder / files[k]["file"]) for k in small]
        merged = pa.concat_tables(parts).sort_by("id")
        first, last = merged["id"][0].as_py(), merged["id"][-1].as_py()
        name = f"{spec.name}/p{first:012d}-{last:012d}-g{gen}m.parquet"
        write_parquet(merged, folder / name)
        for k in small:
            manifest["trash"].append(files.pop(k)["file"])
        files[str(first)] = {"file": name, "rows": merged.num_rows, "last": last}
        report.files_written += 1
    return read


def snapshot_files(folder: Path, manifest: dict | None) -> dict[str, list[str]]:
    """{table: [absolute parquet paths]} of the manifest, in id order."""
    out: dict[str, list[str]] = {}
    for spec_name, entry in ((manifest or {}).get("tables") or {}).items():
        keys = sorted(entry["files"], key=int)
        out[spec_name] = [str(folder / entry["files"][k]["file"]) for k in keys
                          if entry["files"][k]["rows"]]
    return out


def age_seconds(manifest: dict | None, now: datetime) -> float | None:
    if not manifest or not manifest.get("refreshed_at"):
        return None
    return (now - datetime.fromisoformat(manifest["refreshed_at"])).total_seconds()
