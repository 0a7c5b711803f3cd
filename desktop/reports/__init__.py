"""The Reports tab (managers and admins): filters, a chart per report, a sortable table, export."""

from desktop.reports.reports_tab import ReportsTab

__all__ = ["ReportsTab"]
