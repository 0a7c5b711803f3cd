"""Employers: organisations and contacts (``directory``), bulk orders (``order_csv``, ``bulk``),
invoices and credit notes (``numbering``, ``vat``, ``invoices``, ``invoice_pdf``) and the
compliance view with expiry reminders (``compliance``)."""
