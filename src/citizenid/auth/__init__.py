"""Officer accounts, roles, province scope and sessions."""
