"""What happened: the audit log of staff actions and the change feed that clients sync from."""
