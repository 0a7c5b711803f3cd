"""Shared kernel: clock, settings, database, encryption, errors, money, audit log, change feed."""
