"""Demo data and the local Stripe test double: tooling the product can run, never depends on."""
