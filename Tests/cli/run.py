#!/usr/bin/env python3
"""Runs the end-to-end tests of the sr and srprep binaries (Tests/cli/test_*.py).

    python3 Tests/cli/run.py BIN_DIR [-k PATTERN]

BIN_DIR holds the built `sr` and `srprep` (`swift build --show-bin-path`). Prints one line per
test, then `N passed, N failed`; exits 1 when any test failed.
"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    os.environ["SR_BIN_DIR"] = os.path.abspath(args[0])
    for name in ("sr", "srprep"):
        if not os.access(os.path.join(args[0], name), os.X_OK):
            print(f"cli tests: {name} is not built in {args[0]}", file=sys.stderr)
            return 2
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if len(args) >= 3 and args[1] == "-k":
        loader.testNamePatterns = [f"*{args[2]}*"]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    t0 = time.monotonic()
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    if skipped:
        print(f"{skipped} skipped")
    print(f"cli tests took {time.monotonic() - t0:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
