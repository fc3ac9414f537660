"""The record of every read and write of personal data (made tamper-evident by the exchange issue)."""
