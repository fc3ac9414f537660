"""Biometrics: quality at capture, 1:1 matching and 1:N deduplication (an ABIS) behind vendor interfaces."""
