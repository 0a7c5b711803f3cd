"""Certificates: issuing them from registers, the PDF and the expiry reminders."""
