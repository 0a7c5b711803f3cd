"""Waiting lists that understand groups.

``entries`` adds, lists, accepts and declines; ``offers`` gives freed seats to the first
entry that fits, as a seat hold made under the session lock; ``loop`` expires offers and
offers seats freed meanwhile. Demand figures for the forecast are in
``core.reports.waitlist_demand``.
"""
