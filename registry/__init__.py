"""The lowest layer: database, organisations, users, roles, authentication and the audit log."""
