"""A person across every domain: their record, a booking's timeline, export and erasure."""
