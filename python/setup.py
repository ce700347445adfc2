"""Build step of the srcore package: builds libsrcore from the repository and bundles it.

`pip install ./python` (or `make wheel`) runs this. It finds the repository root (the folder holding
Package.swift and include/srcore.h): $SRCORE_SOURCE_DIR, else the parent of this folder or of the
current folder, walking up, so a build from a copy of python/ in a temporary folder still finds it
when SRCORE_SOURCE_DIR is set. There it runs `swift build -c release --product srcore` ($SWIFT or
swift) and copies the library, stripped, to srcore/_native/libsrcore.so.0 in the package.

Environment:
  SRCORE_SOURCE_DIR   the repository root, when this folder is not inside it
  SRCORE_BUNDLE_LIB   bundle this already built libsrcore.so instead of building one
  SRCORE_BUNDLE=0     bundle nothing: the package then uses $SRCORE_LIB or a `make install`ed library
  SWIFT               the swift executable
"""
import os
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 70.1
except ImportError:  # older setuptools: the wheel package's
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
SONAME = "libsrcore.so.0"


def _is_root(path):
    return (os.path.isfile(os.path.join(path, "Package.swift"))
            and os.path.isfile(os.path.join(path, "include", "srcore.h")))


def repository_root():
    env = os.environ.get("SRCORE_SOURCE_DIR")
    if env:
        if not _is_root(env):
            sys.exit(f"srcore: SRCORE_SOURCE_DIR={env} holds no Package.swift and include/srcore.h")
        return os.path.abspath(env)
    for start in (HERE, os.getcwd(), os.environ.get("PWD", "")):
        path = os.path.abspath(start) if start else ""
        while path and path != os.path.dirname(path):
            if _is_root(path):
                return path
            path = os.path.dirname(path)
    sys.exit("srcore: cannot find the srcore repository (Package.swift, include/srcore.h) above "
             f"{HERE}; set SRCORE_SOURCE_DIR=<repository root>, or SRCORE_BUNDLE_LIB=<libsrcore.so>, "
             "or SRCORE_BUNDLE=0 to use an installed library")


def _run(cmd, cwd):
    print("srcore: " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, check=False, stdout=subprocess.PIPE, text=True)


def build_library():
    """Path of a freshly built (or up to date) release libsrcore.so in the repository."""
    root = repository_root()
    swift = os.environ.get("SWIFT", "swift")
    if shutil.which(swift) is None:
        sys.exit(f"srcore: '{swift}' not found: a Swift 6 toolchain builds libsrcore (or set SRCORE_BUNDLE_LIB)")
    # As `make lib`: the builtin models are compiled in through models.c; rebuild it when a model is newer.
    models_c = os.path.join(root, "Sources", "CModels", "models.c")
    for scale in (2, 3, 4):
        model = os.path.join(root, "Models", f"dcscn-x{scale}.safetensors")
        if os.path.exists(model) and os.path.exists(models_c) and os.path.getmtime(model) > os.path.getmtime(models_c):
            os.utime(models_c)
    built = _run([swift, "build", "-c", "release", "--product", "srcore"], root)
    if built.returncode != 0:
        sys.stdout.write(built.stdout[-6000:])
        sys.exit(f"srcore: swift build failed in {root} (are the C libraries installed? `make deps` installs them)")
    where = _run([swift, "build", "-c", "release", "--show-bin-path"], root)
    lib = os.path.join(where.stdout.strip().splitlines()[-1], "libsrcore.so")
    if where.returncode != 0 or not os.path.isfile(lib):
        sys.exit(f"srcore: swift build succeeded but {lib} is missing")
    return lib


class BuildPyWithLibrary(build_py):
    """build_py, then the library into srcore/_native/."""

    def run(self):
        super().run()
        target_dir = os.path.join(self.build_lib, "srcore", "_native")
        shutil.rmtree(target_dir, ignore_errors=True)  # never ship a library left by an earlier build
        if os.environ.get("SRCORE_BUNDLE", "1") == "0":
            return
        lib = os.environ.get("SRCORE_BUNDLE_LIB") or build_library()
        if not os.path.isfile(lib):
            sys.exit(f"srcore: SRCORE_BUNDLE_LIB={lib}: no such file")
        os.makedirs(target_dir)
        target = os.path.join(target_dir, SONAME)
        shutil.copyfile(lib, target)
        os.chmod(target, 0o755)
        strip = shutil.which("strip")
        if strip:  # as `make install`: 40% smaller
            subprocess.run([strip, target], check=True)


class NativeDistribution(Distribution):
    """Holds a native library: built and installed as platform-specific (platlib, a platform wheel)."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """The wheel holds a native library but no Python extension: py3-none-<platform>."""

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=NativeDistribution, cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel})
