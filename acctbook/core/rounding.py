"""Rounding as a person rounds: half up (2.5 -> 3, 0.5 -> 1), for the figures acctbook shows
rounded (a prospect's points, an order gap in days, an Expected order). Python's round() and
numpy's round half to even (2.5 -> 2), which a manager checking by hand would call wrong."""

from __future__ import annotations

import numpy as np


def half_up(x):
    """x rounded half up: a float for a number, an array of floats for an array."""
    return np.floor(np.asarray(x, dtype=float) + 0.5)
