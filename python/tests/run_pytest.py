"""Runs pytest on the ahal module's tests; exit 77 (ctest: skipped) when
pytest or numpy is missing, saying which."""

import sys

for name in ("pytest", "numpy"):
    try:
        __import__(name)
    except ImportError:
        print(f"SKIP: python3-{name} is not installed ({sys.executable})")
        sys.exit(77)

import pytest  # noqa: E402

sys.exit(pytest.main(sys.argv[1:]))
