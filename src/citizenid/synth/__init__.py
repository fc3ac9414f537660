"""Deterministic synthetic population of Vietnam: people in households, with ground truth.

Same seed and reference date, same people, bit for bit (for a given numpy and pyarrow).  Fast enough
for benchmarks of millions of people; realistic enough that names, ages, households, places and
numbers look like a real register (docs/decisions/0003-synthetic-population.md).
"""

from citizenid.synth.population import PERSON_SCHEMA, generate_population, generate_population_batches

__all__ = ["PERSON_SCHEMA", "generate_population", "generate_population_batches"]
