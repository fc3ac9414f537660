"""Đăng ký thường trú trực tuyến: a reference level-4 online public service built on citizenid's exchange.

A ministry's developer would build it this way: its own application, talking to the population platform
only through the platform's public partner API (OAuth 2.0 client credentials with private_key_jwt, DPoP),
importing nothing from ``citizenid``.  The citizen signs in with their personal number and the one-time
code the platform sends them; that same code is their consent to pre-fill the form from the register and
their integrated documents; they confirm the new address; the service decides and records the change of
permanent residence in the register as a life event.  The citizen's data tracker shows each access.
"""
