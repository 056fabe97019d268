"""Settings for the test suite: the production settings with TESTING on.

TESTING is chosen here, explicitly, instead of being guessed from whether pytest is imported:
the production defaults then never change because of what happens to be loaded. The caches stay
on as in production (tests that need a cold cache ask for it; see tests/conftest.py).
"""

import os

os.environ.setdefault("TESTING", "1")

from civic.settings import *  # noqa: E402, F403 - the production settings, unchanged

# Tests read messages in English (tests/conftest.py); the first municipality, made by the
# migrations from this setting, speaks it too. Tests of another language ask for it.
LANGUAGE_CODE = "en"
