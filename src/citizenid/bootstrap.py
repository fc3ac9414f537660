"""The one composition root: builds the engine, the key store and every service, and injects them.

Nothing in citizenid builds its own engine or service; entry points (the HTTP app, the CLI, tests,
benchmarks) call :func:`bootstrap` and use what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from citizenid.audit.service import AuditService
from citizenid.auth.service import AuthService
from citizenid.biometrics.service import BiometricsService, build_service
from citizenid.cards.service import CardService
from citizenid.chip.service import ChipService
from citizenid.cleansing.service import CleansingService
from citizenid.config import Settings, load_settings
from citizenid.db import UnitOfWork, create_engine_for
from citizenid.documents.service import DocumentService
from citizenid.exchange.events import EventService
from citizenid.exchange.portal import CitizenPortal
from citizenid.exchange.service import ExchangeService
from citizenid.exchange.wiring import wire_exchange
from citizenid.otp.service import FileMasterKey, OtpService
from citizenid.pki.keystore import FileKeyStore, KeyStore, LazyKeyStore
from citizenid.pki.pkcs11 import Pkcs11KeyStore
from citizenid.pki.service import PkiService
from citizenid.registry.service import RegistryService
from citizenid.signing.service import SigningService

PASSPHRASE_FILE = "keystore.passphrase"  # noqa: S105 - a file name, not a secret


@dataclass
class Container:
    """Everything an entry point needs, built once."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    audit: AuditService
    auth: AuthService
    registry: RegistryService
    pki: PkiService
    chip: ChipService
    signing: SigningService
    otp: OtpService
    cards: CardService
    documents: DocumentService
    # The card pipeline's BiometricGate: reference models, or format checks only (CITIZENID_BIOMETRICS).
    biometrics: BiometricsService
    cleansing: CleansingService
    # The exchange platform, built by wire_exchange once the rest exists (it asks the cards area).
    exchange: ExchangeService = field(init=False)
    exchange_events: EventService = field(init=False)
    portal: CitizenPortal = field(init=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, *, engine: Engine | None = None) -> Container:
    settings = settings or load_settings()
    engine = engine or create_engine_for(settings.resolved_database_url())
    session_factory = sessionmaker(bind=engine, expire_on_commit=False)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(session_factory)

    keys = _key_store(settings)
    # Checkpoints are signed by the audit checkpoint key, kept in the same key store as the issuing keys.
    audit = AuditService(new_uow, keys=keys, origin=f"citizenid/{settings.country}/access-log")
    hasher = PasswordHasher(memory_cost=settings.argon2_memory_kib, time_cost=settings.argon2_time_cost)
    auth = AuthService(
        new_uow, session_ttl_seconds=settings.session_ttl_seconds, hasher=hasher,
        cache_seconds=settings.auth_cache_seconds,
    )
    registry = RegistryService(new_uow, engine=engine, audit=audit)
    pki = PkiService(keys, settings.data_dir / "pki")
    chip = ChipService(pki)
    biometrics = build_service(
        new_uow, mode=settings.biometrics, data_dir=settings.data_dir, thresholds=settings.biometrics_thresholds,
        face_threshold=settings.biometrics_face_match_threshold,
        duplicate_threshold=settings.biometrics_duplicate_threshold, index_kind=settings.biometrics_index,
        shards=settings.biometrics_shards, face_model=settings.biometrics_face_model,
        face_model_sha256=settings.biometrics_face_model_sha256,
    )
    # The card pipeline asks biometrics through its BiometricGate (format checks only when
    # CITIZENID_BIOMETRICS=format-only: the service then delegates to FormatOnlyGate).
    cards = CardService(
        new_uow, registry=registry, chip=chip, audit=audit, gate=biometrics,
        master_key=FileMasterKey(settings.data_dir / "keys" / "cards-master.key"),
        output_dir=settings.data_dir / "cards", skip_locked=engine.dialect.name == "postgresql",
    )
    container = Container(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        audit=audit,
        auth=auth,
        registry=registry,
        pki=pki,
        chip=chip,
        signing=SigningService(pki),
        otp=OtpService(new_uow, FileMasterKey(settings.data_dir / "keys" / "otp-master.key")),
        cards=cards,
        documents=DocumentService(new_uow, registry=registry, audit=audit),
        biometrics=biometrics,
        cleansing=CleansingService(new_uow, registry=registry, audit=audit),
    )
    wire_exchange(container)
    return container


def _key_store(settings: Settings) -> KeyStore:
    """Issuing keys: encrypted files by default, an HSM through PKCS#11 when configured.  Both open lazily:
    nothing asks for a passphrase or a PIN until a key is used."""
    if settings.keystore == "pkcs11":
        return LazyKeyStore(
            lambda: Pkcs11KeyStore(settings.pkcs11_module or "", settings.pkcs11_token, settings.pkcs11_pin or "")
        )
    return FileKeyStore(settings.data_dir / "keys", settings.keystore_passphrase or _passphrase_file(settings))


def _passphrase_file(settings: Settings) -> str | None:
    """``<data dir>/keystore.passphrase`` (mode 0600) when no passphrase is in the environment: how the
    embedded demo keeps one, the way a deployment mounts a secret file.  Read only when a key is used."""
    path = settings.data_dir / PASSPHRASE_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None
