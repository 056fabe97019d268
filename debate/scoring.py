"""The "best" order of comments: a confidence-based score, so a few early votes do not win."""

import math

# 95 % confidence.
Z = 1.959963984540054


def wilson_lower_bound(up: int, down: int) -> float:
    """The lower bound of the Wilson score interval for the share of up votes.

    One up vote out of one scores lower than 90 out of 100: the score rewards evidence, not
    luck of timing.
    """
    n = up + down
    if n == 0:
        return 0.0
    share = up / n
    z2 = Z * Z
    centre = share + z2 / (2 * n)
    margin = Z * math.sqrt((share * (1 - share) + z2 / (4 * n)) / n)
    return (centre - margin) / (1 + z2 / n)
