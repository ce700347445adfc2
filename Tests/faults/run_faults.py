#!/usr/bin/env python3
"""Fault tests of the srcore CLIs (docs/faults.md): a full disk and kill -9 for `srprep build`,
`srprep merge`, `sr upscale`, `sr train` and `sr import-tf`.

    Tests/faults/run_faults.py BIN_DIR       (BIN_DIR holds sr and srprep; `make faulttest`)

The full disk is a small tmpfs mounted for the run (root: `mount -t tmpfs -o size=4m`); where
mounting is not permitted, a soft file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) stands in for it;
the first line says which ran. The checks are in test_full_disk.py and test_kill.py, the helpers in
faultlib.py. Prints a table (command x fault -> result) and closes with `N passed, N failed`.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
import test_full_disk  # noqa: E402
import test_kill  # noqa: E402


class Result(unittest.TextTestResult):
    """Counts every check: a test without subtests, or each subtest (a command x fault)."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.passed = 0
        self.checks_failed = 0
        self._sub = set()

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        self._sub.add(test.id())
        if err is None:
            self.passed += 1
        else:
            self.checks_failed += 1

    def addSuccess(self, test):
        super().addSuccess(test)
        if test.id() not in self._sub:
            self.passed += 1

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.checks_failed += 1

    def addError(self, test, err):
        super().addError(test, err)
        self.checks_failed += 1


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    faultlib.BIN = os.path.abspath(sys.argv[1])
    for tool in ("sr", "srprep"):
        if not os.access(os.path.join(faultlib.BIN, tool), os.X_OK):
            print(f"{faultlib.BIN}/{tool}: not found (build it first: swift build --product {tool})")
            return 2
    t0 = time.monotonic()
    suite = unittest.TestSuite()
    for module in (test_full_disk, test_kill):
        suite.addTests(unittest.defaultTestLoader.loadTestsFromModule(module))
    try:
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout, resultclass=Result).run(suite)
    finally:
        faultlib.teardown()
    print("\ncommand           | fault                                        | result")
    print("------------------|----------------------------------------------|-------")
    for c, f, r in faultlib.TABLE:
        print(f"{c:<18}| {f:<45}| {r}")
    print(f"\nfault tests: {time.monotonic() - t0:.1f} s, {len(result.skipped)} skipped")
    print(f"{result.passed} passed, {result.checks_failed} failed")
    return 0 if result.checks_failed == 0 and result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
