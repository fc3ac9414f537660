"""citizenid: a national population register and chip identity card system.

The public surface of each area is its ``service`` module; see ``docs/architecture.md``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
