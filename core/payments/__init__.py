"""Taking the money: Stripe (card readers and payment links), cash and invoices, refunds.

Modules: ``gateway`` (settings check and the SDK client), ``terminal``, ``links``, ``desk``
(cash, invoice, pay later), ``refunds`` and ``policy``, ``settle`` (Stripe state → booking
state), ``reconcile`` (saga recovery), ``events`` (Events API polling, webhooks), ``jobs``
(the background pass) and ``stripe_double`` (a local Stripe for tests and demo mode).
"""
