import os
import sys
from pathlib import Path

from hypothesis import settings

# The shared hypothesis strategies live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))

# CI explores the same inputs on every run, so a submission never fails on an input that no
# earlier run saw; local runs draw fresh ones (and print a reproducer when one fails).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
