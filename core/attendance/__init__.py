"""Attendance registers: marks as operations, a hybrid logical clock and a deterministic merge.

``hlc`` is the clock, ``merge`` the convergence rule (pure), ``register`` the server's
register and ``marking`` applies a batch of marks and issues the certificates they earn.
"""
