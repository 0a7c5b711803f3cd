"""Email: templates rendered with the company's branding, an outbox written in the caller's
transaction, and a sender that delivers it over SMTP at most once per message."""
