"""Bulk orders: many staff of one organisation on several sessions, all or nothing."""
