from __future__ import annotations

import pyarrow as pa
import pytest

from citizenid.registry.bulk import _Writer


def test_writer_writes_in_order_and_surfaces_failures() -> None:
    written: list[int] = []
    writer = _Writer(lambda chunk: written.append(chunk.num_rows))
    for n in (1, 2, 3):
        writer.submit(pa.table({"x": list(range(n))}))
    writer.close()
    assert written == [1, 2, 3]

    def boom(chunk: pa.Table) -> None:
        raise RuntimeError("disk full")

    failing = _Writer(boom)
    failing.submit(pa.table({"x": [1]}))
    with pytest.raises(RuntimeError, match="disk full"):
        failing.close()
