"""Settings from the environment (``CITIZENID_*``).  Nothing is read at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a citizenid deployment.  Defaults give the embedded SQLite demo."""

    model_config = SettingsConfigDict(env_prefix="CITIZENID_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="where the SQLite database and key files live")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means sqlite:///<data_dir>/citizenid.db",
    )
    keystore: Literal["file", "pkcs11"] = "file"
    keystore_passphrase: str | None = Field(default=None, repr=False)
    pkcs11_module: str | None = None
    pkcs11_token: str = "citizenid"  # noqa: S105 - the token label, not a secret
    pkcs11_pin: str | None = Field(default=None, repr=False)
    session_ttl_seconds: int = 8 * 3600
    # How long a process trusts a token it has checked before asking the database again.
    auth_cache_seconds: float = 15.0
    # argon2id cost; the defaults follow RFC 9106's second recommended option (64 MiB, 3 passes).
    argon2_memory_kib: int = 65536
    argon2_time_cost: int = 3
    # Personal numbers and other allocations draw on a cryptographic source; tests never change this.
    # Threads that run request handlers; unset means 4 on SQLite and 40 on PostgreSQL.
    request_threads: int | None = None
    country: str = "VNM"
    log_level: str = "INFO"
    # Biometrics (docs/biometrics.md): the offline reference models, or only a check that captures are images.
    biometrics: Literal["reference", "format-only"] = "reference"
    # A production face model: a file and its pinned SHA-256 (unset: the reference dlib models, pinned in code).
    biometrics_face_model: Path | None = None
    biometrics_face_model_sha256: str | None = None
    biometrics_face_match_threshold: float = 0.96  # 1:1 cosine; docs/biometrics.md has the measured FMR/FNMR
    biometrics_duplicate_threshold: float = 0.955  # 1:N: candidates at or above it go to a supervisor
    # Capture thresholds by name (JSON), overriding citizenid.biometrics.domain.QualityThresholds.
    biometrics_thresholds: dict[str, float] = Field(default_factory=dict)
    biometrics_index: Literal["exact", "hnsw", "ivfpq", "ivfsq8"] = "exact"
    biometrics_shards: int = Field(default=1, ge=1, le=1024)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'citizenid.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read the environment now; keyword overrides win (tests and the CLI use them)."""
    return Settings(**overrides)  # type: ignore[arg-type]
