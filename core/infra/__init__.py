"""Shared kernel: clock, settings, database, encryption, errors, money and the booking terms."""
