"""Seats and bookings: availability, holds, locking, pricing, references, dues, eligibility."""
