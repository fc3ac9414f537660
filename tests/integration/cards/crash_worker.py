"""A production worker in its own process, for the crash tests: ``python crash_worker.py URL DATA_DIR BATCH``.

Each card pauses just after drawing its card number, inside the card's transaction, so a kill lands
there as often as anywhere else.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from citizenid.auth.domain import Principal, Role
from citizenid.bootstrap import bootstrap
from citizenid.cards import repository
from citizenid.config import Settings

_next_serial = repository.next_serial


def slow_next_serial(session: object, name: str = "card") -> int:
    value = _next_serial(session, name)  # type: ignore[arg-type]
    time.sleep(0.05)
    return value


def main() -> None:
    url, data_dir, batch_id = sys.argv[1:4]
    repository.next_serial = slow_next_serial  # type: ignore[assignment]
    container = bootstrap(Settings(data_dir=Path(data_dir), database_url=url, keystore_passphrase="cards-tests",
                                   biometrics="format-only"))
    container.cards.run_batch(Principal("xuong", Role.PRODUCTION_OPERATOR), batch_id)


if __name__ == "__main__":
    main()
