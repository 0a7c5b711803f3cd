"""Seats: what is free, holds on seats, and the row locks that guard them."""
