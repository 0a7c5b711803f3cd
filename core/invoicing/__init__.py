"""Invoices and credit notes: numbering, VAT and the PDF."""
