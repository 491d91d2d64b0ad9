"""Settings from `SIYU_*` environment variables (and CLI flags that override them).

Numbers from the seeds are defaults here or in per-merchant rule objects, never
constants buried in code.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIYU_", extra="ignore")

    database_url: str = "sqlite:///siyu.db"
    redis_url: str | None = None
    # Key for encrypting phone numbers at rest; when unset a key file is made beside
    # the working directory's database (see core.pii).
    secret_key: str | None = None
    key_file: str = "siyu.key"
    host: str = "127.0.0.1"
    port: int = 8000
    lang: str = "zh-CN"
    # Groups (seed 001/003): a WeChat group holds 500 people.
    group_capacity: int = 500
    # Uploads: refuse bodies larger than this many bytes.
    max_upload_bytes: int = 20 * 1024 * 1024
    # Event batches: at most this many events in one call.
    max_event_batch: int = 5000
    # Webhook signature secret for the simulator channel.
    webhook_secret: str = "siyu-simulator-secret"
    # Analytics: Parquet snapshots per merchant (DuckDB reads them). Unset: a folder
    # "siyu-analytics" beside the SQLite database file (else one folder per database in
    # the working directory's siyu-analytics).
    analytics_dir: str | None = None
    # Live segments and KPIs refresh a snapshot older than this before answering.
    analytics_max_staleness_seconds: int = 300
    # `siyu serve` runs the scheduled jobs (siyu.jobs) in-process, every this many
    # seconds; SIYU_JOBS_IN_SERVER=0 leaves them to a separate `siyu jobs run`.
    jobs_in_server: bool = True
    jobs_interval_seconds: float = 30.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
