"""The Organisations tab: employers' records, their bulk orders, invoices and compliance."""

from desktop.organisations.organisations_tab import OrganisationsTab

__all__ = ["OrganisationsTab"]
