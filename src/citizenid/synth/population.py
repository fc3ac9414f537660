"""The synthetic population as Arrow: one table, or batches streamed for tens of millions of people.

The population is generated in blocks of whole households.  Block ``k`` has its own random stream
(``SeedSequence(seed, spawn_key=(1, k))``) and a size that doubles from 64 households up to 32,768,
so a handful of people costs almost nothing and millions stream in bounded memory.  Numbers are
allocated in row order across blocks (:mod:`citizenid.synth.numbers`).  Because nothing depends on
the requested count except where the last household is cut, ``generate_population(n)`` is the first
``n`` rows of any larger population with the same seed, up to the links into the cut household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from citizenid import refdata
from citizenid.synth import names
from citizenid.synth.households import MAX_AGE, build_households
from citizenid.synth.naming import NameStock, name_stock
from citizenid.synth.numbers import NumberAllocator
from citizenid.synth.people import HAMLET_NAMES, HAMLET_WORDS, Addresses, People, draw_people
from citizenid.synth.places import geography

IntArray = npt.NDArray[np.int64]

DEFAULT_SEED = 20250701
DEFAULT_AS_OF = dt.date(2026, 1, 1)
_FIRST_BLOCK_HOUSEHOLDS = 64
_LARGEST_BLOCK_HOUSEHOLDS = 32_768
_EARLIEST_AS_OF_YEAR = 1900 + int(MAX_AGE) + 1
# The century digit of a personal number stops at the 2300s.
_LATEST_AS_OF_YEAR = 2399

PERSON_SCHEMA = pa.schema([
    pa.field("personal_number", pa.string(), nullable=False),
    pa.field("family_name", pa.string(), nullable=False),
    pa.field("middle_name", pa.string()),
    pa.field("given_name", pa.string(), nullable=False),
    pa.field("full_name", pa.string(), nullable=False),
    pa.field("sex", pa.string(), nullable=False),
    pa.field("birth_date", pa.string(), nullable=False),
    pa.field("birth_registration_province", pa.string(), nullable=False),
    pa.field("origin_commune", pa.string(), nullable=False),
    pa.field("residence_commune", pa.string(), nullable=False),
    pa.field("residence_detail", pa.string(), nullable=False),
    pa.field("ethnicity", pa.string(), nullable=False),
    pa.field("religion", pa.string(), nullable=False),
    pa.field("nationality", pa.string(), nullable=False),
    pa.field("father_number", pa.string()),
    pa.field("father_name", pa.string()),
    pa.field("mother_number", pa.string()),
    pa.field("mother_name", pa.string()),
    pa.field("spouse_number", pa.string()),
    pa.field("spouse_name", pa.string()),
    pa.field("old_id_number", pa.string()),
    pa.field("household_id", pa.string(), nullable=False),
    pa.field("household_relationship", pa.string(), nullable=False),
    pa.field("status", pa.string(), nullable=False),
])


def generate_population(
    count: int, *, seed: int = DEFAULT_SEED, as_of: dt.date = DEFAULT_AS_OF
) -> pa.Table:
    """``count`` people of Vietnam in households, the same people for the same seed and date."""
    _check(count, as_of)
    return pa.Table.from_batches([batch for batch, _ in _blocks(count, seed, as_of)], schema=PERSON_SCHEMA)


def generate_population_batches(
    count: int, *, seed: int = DEFAULT_SEED, as_of: dt.date = DEFAULT_AS_OF, batch_size: int = 200_000
) -> Iterator[pa.RecordBatch]:
    """The rows of :func:`generate_population`, in batches of at most ``batch_size`` rows.

    A household is never split across batches, so a batch holds fewer rows when the next household
    would not fit, and more only when a single household is larger than ``batch_size``.
    """
    _check(count, as_of)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    return _rebatch(_blocks(count, seed, as_of), batch_size)


def _check(count: int, as_of: dt.date) -> None:
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    if not _EARLIEST_AS_OF_YEAR <= as_of.year <= _LATEST_AS_OF_YEAR:
        raise ValueError(
            f"as_of must fall in {_EARLIEST_AS_OF_YEAR}-{_LATEST_AS_OF_YEAR}: personal numbers encode "
            f"birth years from 1900 and the oldest people are {int(MAX_AGE)}"
        )


def _blocks(count: int, seed: int, as_of: dt.date) -> Iterator[tuple[pa.RecordBatch, IntArray]]:
    """(batch, row where each household starts) per block, ``count`` rows in all."""
    geo = geography()
    ethnic = refdata.ethnic_groups()
    stock = name_stock(tuple(e.code for e in ethnic), tuple(e.share for e in ethnic))
    keys = np.random.SeedSequence(seed, spawn_key=(0,)).generate_state(2, np.uint64).astype(np.uint64)
    allocator = NumberAllocator(keys)
    as_of_year = as_of.year + (as_of.timetuple().tm_yday - 1) / 365.25
    remaining, households_before, block = count, 0, 0
    while remaining > 0:
        size = min(_FIRST_BLOCK_HOUSEHOLDS << min(block, 20), _LARGEST_BLOCK_HOUSEHOLDS)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1, block))))
        people = draw_people(rng, build_households(rng, size, as_of_year), geo, stock, allocator, as_of)
        keep = min(remaining, len(people.households))
        batch, starts = _to_arrow(people, stock, keep, households_before)
        yield batch, starts
        remaining -= keep
        households_before += starts.size
        block += 1


def _rebatch(blocks: Iterator[tuple[pa.RecordBatch, IntArray]], batch_size: int) -> Iterator[pa.RecordBatch]:
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for block, starts in blocks:
        position = 0
        ends = np.r_[starts[1:], block.num_rows]
        while position < block.num_rows:
            room = batch_size - pending_rows
            # The last household boundary that still fits; at least one household if nothing is pending.
            fits = ends[(ends > position) & (ends - position <= room)]
            if fits.size:
                cut = int(fits[-1])
            elif pending_rows:
                yield _concat(pending)
                pending, pending_rows = [], 0
                continue
            else:
                cut = int(ends[ends > position][0])
            pending.append(block.slice(position, cut - position))
            pending_rows += cut - position
            position = cut
            if pending_rows >= batch_size or not fits.size:
                yield _concat(pending)
                pending, pending_rows = [], 0
    if pending_rows:
        yield _concat(pending)


def _concat(pieces: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(pieces) == 1:
        return pieces[0]
    batches: list[pa.RecordBatch] = pa.Table.from_batches(pieces).combine_chunks().to_batches()
    return batches[0]


# ------------------------------------------------------------------------------------------- arrow


def _to_arrow(
    people: People, stock: NameStock, keep: int, households_before: int
) -> tuple[pa.RecordBatch, IntArray]:
    """The first ``keep`` people as a record batch, links to anyone past them cut."""
    geo = geography()
    s = people.households
    household = s.household[:keep]
    starts = np.flatnonzero(np.r_[True, household[1:] != household[:-1]]) if keep else np.zeros(0, np.int64)
    households = starts.size

    number = _digits(people.number[:keep], 12)
    family = _vocabulary(stock.family_names).take(pa.array(people.family_name[:keep]))
    middle = _vocabulary(stock.middle_names).take(_nullable(people.middle_name[:keep]))
    given = _vocabulary(stock.given_names).take(pa.array(people.given_name[:keep]))
    full_name = pc.binary_join_element_wise(family, middle, given, " ", null_handling="skip")

    def linked(ref: IntArray, values: pa.Array) -> pa.Array:
        return values.take(_nullable(np.where(ref[:keep] < keep, ref[:keep], -1)))

    communes = _vocabulary(geo.commune_codes)
    household_ids = pc.binary_join_element_wise(
        "HK", _digits(np.arange(households_before + 1, households_before + households + 1), 10), ""
    )
    per_household = pa.array(household)
    columns = {
        "personal_number": number,
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "full_name": full_name,
        "sex": _vocabulary(("F", "M")).take(pa.array(s.male[:keep].astype(np.int8))),
        "birth_date": _birth_dates(people.birth_day[:keep], people.birth_precision[:keep]),
        "birth_registration_province": _digits(people.registration_code[:keep], 3),
        "origin_commune": communes.take(pa.array(people.origin_commune[:keep])),
        "residence_commune": communes.take(pa.array(people.residence_commune[:keep])),
        "residence_detail": _address_lines(people.addresses, households).take(per_household),
        "ethnicity": _vocabulary(geo.ethnic_codes).take(pa.array(people.ethnicity[:keep])),
        "religion": _vocabulary(geo.religion_codes).take(pa.array(people.religion[:keep])),
        "nationality": _constant("VNM", keep),
        "father_number": linked(s.father, number),
        "father_name": linked(s.father, full_name),
        "mother_number": linked(s.mother, number),
        "mother_name": linked(s.mother, full_name),
        "spouse_number": linked(s.spouse, number),
        "spouse_name": linked(s.spouse, full_name),
        "old_id_number": _digits(people.old_id[:keep], 9),
        "household_id": household_ids.take(per_household),
        "household_relationship": _vocabulary(names.RELATIONSHIPS).take(pa.array(s.relationship[:keep])),
        "status": _constant("living", keep),
    }
    arrays = [columns[f.name] for f in PERSON_SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=PERSON_SCHEMA), starts.astype(np.int64)


def _vocabulary(words: tuple[str, ...]) -> pa.Array:
    return pa.array(words, type=pa.string())


def _constant(value: str, n: int) -> pa.Array:
    return pa.array([value], type=pa.string()).take(pa.array(np.zeros(n, dtype=np.int8)))


def _nullable(index: IntArray) -> pa.Array:
    """Take-indices where a negative index means null."""
    return pa.array(index, mask=index < 0)


def _digits(values: IntArray, width: int) -> pa.Array:
    """Zero-padded decimal strings; negative values become nulls."""
    text = pc.cast(pa.array(values, mask=values < 0), pa.string())
    return pc.utf8_lpad(text, width=width, padding="0")


def _birth_dates(birth_day: IntArray, precision: npt.NDArray[np.int8]) -> pa.Array:
    iso = pc.cast(pa.array(birth_day.astype("datetime64[D]")), pa.string())
    return pc.choose(
        pa.array(precision),
        iso,
        pc.utf8_slice_codeunits(iso, 0, 7),
        pc.utf8_slice_codeunits(iso, 0, 4),
    )


def _address_lines(a: Addresses, n: int) -> pa.Array:
    a = Addresses(*(getattr(a, f)[:n] for f in Addresses.__dataclass_fields__))
    house = _digits(a.house, 1)
    street = _vocabulary(names.STREETS).take(pa.array(a.street))
    alley = _digits(a.alley, 1)
    hamlet = pc.coalesce(_vocabulary(HAMLET_NAMES).take(_nullable(a.hamlet_name)), house)
    return pc.choose(
        pa.array(a.shape),
        pc.binary_join_element_wise("Số", house, street, " "),
        pc.binary_join_element_wise("Số", house, "ngõ", alley, street, " "),
        pc.binary_join_element_wise(house, street, " "),
        pc.binary_join_element_wise(pc.binary_join_element_wise(house, alley, "/"), street, " "),
        pc.binary_join_element_wise(_vocabulary(HAMLET_WORDS).take(pa.array(a.hamlet_word)), hamlet, " "),
    )
