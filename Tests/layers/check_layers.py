#!/usr/bin/env python3
"""Fails when a target of the core imports a layer above it or beside it, or a source file grows
past 400 lines.

The layer order is the one Package.swift documents (docs/architecture.md). This check reads
Package.swift's targets (name, dependencies, path) and every Swift file's `import` lines, and
reports (1) a target whose declared dependencies include a layer at or above its own rank, and
(2) a file that imports a project target its own target does not declare (SwiftPM would let an
`import` of a module built earlier slip through). Exit status 1 on any violation.

    python3 Tests/layers/check_layers.py [PACKAGE_ROOT]
"""
import os
import re
import sys

# Rank of each layer: a target may depend only on targets of a strictly lower rank.
RANK = {
    "SRSupport": 0,
    "SRImage": 1, "SRKernels": 1,
    "SRFormats": 2,
    "SRModel": 3,
    "SRData": 4, "SREval": 4,
    "SRTrain": 5,
    "SRCore": 6,
    "SRCApi": 7, "SRCLI": 7, "SRMPI": 7,
    "sr": 8, "srprep": 8,
    "SRTestSupport": 9, "SRCoreTests": 10,
}
# C and system-library targets: which layers may use them directly.
C_USERS = {
    "CHDF5": {"SRFormats", "SRCoreTests"},
    "CPNG": {"CImageIO"},
    "CJPEG": {"CImageIO"},
    "CWebP": {"CImageIO"},
    "CImageIO": {"SRImage", "SREval", "SRTestSupport"},
    "CKernels": {"SRKernels", "SRModel", "SRTrain", "SRTestSupport", "SRCoreTests"},
    "COpenBLAS": {"SRTrain"},
    "CModels": {"SRCApi"},
    "CMPI": {"SRMPI"},
}


def targets(package_swift):
    """(name, [dependency names], path) of every target in Package.swift."""
    text = open(package_swift).read()
    out = []
    for m in re.finditer(r'\.(?:target|executableTarget|testTarget|systemLibrary)\(\s*name:\s*"(\w+)"(.*?)\)\s*,\s*(?=\.|//|\])',
                         text, re.S):
        name, rest = m.group(1), m.group(2)
        deps_m = re.search(r'dependencies:\s*\[(.*?)\]\s*,?\s*(?:path|$)', rest, re.S)
        deps = re.findall(r'"(\w+)"', deps_m.group(1)) if deps_m else []
        deps = [d for d in deps if d != "swift-argument-parser"]
        path_m = re.search(r'path:\s*"([^"]+)"', rest)
        out.append((name, deps, path_m.group(1) if path_m else f"Sources/{name}"))
    return out


MAX_LINES = 400
CODE_SUFFIXES = (".swift", ".c", ".h", ".py", ".sh")


def long_files(root):
    """Source files over MAX_LINES lines (one concept per file: a long file is asking to be split)."""
    out = []
    for top in ("Sources", "Tests", "include", "bench", "examples", "python"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            if "/." in dirpath or "__pycache__" in dirpath:
                continue
            for f in files:
                if f.endswith(CODE_SUFFIXES):
                    p = os.path.join(dirpath, f)
                    n = sum(1 for _ in open(p, encoding="utf-8", errors="replace"))
                    if n > MAX_LINES:
                        out.append(f"{os.path.relpath(p, root)} has {n} lines (at most {MAX_LINES})")
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    tlist = targets(os.path.join(root, "Package.swift"))
    names = {t[0] for t in tlist}
    missing = [n for n in RANK if n not in names]
    errors = []
    if missing:
        errors.append(f"Package.swift lacks the targets {missing} that the layer table names")
    for name, deps, path in tlist:
        if name in RANK:
            for d in deps:
                if d in RANK and RANK[d] >= RANK[name]:
                    errors.append(f"Package.swift: {name} depends on {d}, which is not below it")
                if d in C_USERS and name not in C_USERS[d]:
                    errors.append(f"Package.swift: {name} depends on {d} directly (allowed: {sorted(C_USERS[d])})")
        for dirpath, _, files in os.walk(os.path.join(root, path)):
            for f in files:
                if not f.endswith(".swift"):
                    continue
                p = os.path.join(dirpath, f)
                rel = os.path.relpath(p, root)
                for i, line in enumerate(open(p, encoding="utf-8"), 1):
                    m = re.match(r'\s*(?:@testable\s+|@_exported\s+|@_implementationOnly\s+)?import\s+(\w+)', line)
                    if not m:
                        continue
                    mod = m.group(1)
                    if mod in names and mod != name and mod not in deps:
                        errors.append(f"{rel}:{i}: imports {mod}, which {name} does not depend on")
                    if mod in RANK and name in RANK and RANK[mod] >= RANK[name] and mod != name:
                        errors.append(f"{rel}:{i}: {name} imports {mod}, a layer not below it")
    errors += long_files(root)
    for e in errors:
        print("layer check: " + e)
    if errors:
        return 1
    print(f"layer check: OK ({len(tlist)} targets, no upward or cross-layer imports, no source file over {MAX_LINES} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
