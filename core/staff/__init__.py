"""Staff accounts, sign-in, roles and trainers."""
