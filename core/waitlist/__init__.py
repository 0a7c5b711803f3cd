"""Waiting lists that understand groups: entries, offers of freed seats, and demand figures.

``entries`` adds, lists, accepts and declines; ``offers`` gives freed seats to the first
entry that fits, as a seat hold made under the session lock; ``demand`` feeds the forecast.
"""
