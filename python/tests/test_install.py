"""The installed package finds its library by itself: no LD_LIBRARY_PATH, any working folder."""
import os
import subprocess
import sys

import pytest

import srcore

REPO_SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src"))
installed = not os.path.abspath(srcore.__file__).startswith(REPO_SRC + os.sep)


def _clean_env():
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "SRCORE_LIB", "PYTHONPATH")}
    return env


@pytest.mark.skipif(not installed, reason="srcore runs from the source tree, not installed (pip install ./python)")
def test_import_from_any_folder_without_ld_library_path(tmp_path):
    code = "import srcore; print(srcore.Model.builtin(2)); print(srcore.library_path())"
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    first, path = r.stdout.splitlines()
    assert first.startswith("<srcore.Model builtin x2: x2, receptive field 10")
    package = os.path.dirname(os.path.abspath(srcore.__file__))
    assert path == os.path.join(package, "_native", "libsrcore.so.0")  # the bundled copy
    assert os.path.isfile(os.path.join(package, "py.typed"))


def test_library_dependencies_exclude_the_swift_runtime():
    path = os.path.realpath(srcore.library_path()) if os.sep in srcore.library_path() else None
    if path is None or not os.path.exists("/usr/bin/ldd"):
        pytest.skip("the library was found by the loader's search (no path) or ldd is missing")
    deps = subprocess.run(["ldd", path], capture_output=True, text=True, check=True).stdout
    assert "libpng16" in deps and "swift" not in deps.lower() and "Foundation" not in deps


def test_srcore_lib_names_the_library(tmp_path):
    """$SRCORE_LIB wins, and a wrong one is an error naming it, not a silent fallback."""
    real = os.path.realpath(srcore.library_path()) if os.sep in srcore.library_path() else None
    if real is None:
        pytest.skip("the library was found by the loader's search (no path)")
    env = _clean_env()
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(srcore.__file__)))
    code = "import srcore; print(srcore.library_path()); print(srcore.Model.builtin(3).scale)"
    env["SRCORE_LIB"] = real
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.split() == [real, "3"], r.stderr
    env["SRCORE_LIB"] = str(tmp_path / "nope.so")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "nope.so" in r.stderr and "SRCORE_LIB" in r.stderr


def test_make_install_prefix_is_found_without_a_bundled_copy(tmp_path):
    """A package without its bundled library (SRCORE_BUNDLE=0) finds <prefix>/lib/libsrcore.so.0."""
    import shutil
    real = os.path.realpath(srcore.library_path()) if os.sep in srcore.library_path() else None
    if real is None:
        pytest.skip("the library was found by the loader's search (no path)")
    package = os.path.dirname(os.path.abspath(srcore.__file__))
    shutil.copytree(package, tmp_path / "pkg" / "srcore", ignore=shutil.ignore_patterns("_native", "__pycache__"))
    (tmp_path / "prefix" / "lib").mkdir(parents=True)
    os.symlink(real, tmp_path / "prefix" / "lib" / "libsrcore.so.0")
    env = _clean_env()
    env.update(PYTHONPATH=str(tmp_path / "pkg"), SRCORE_PREFIX=str(tmp_path / "prefix"))
    code = "import srcore; print(srcore.library_path()); print(srcore.Model.builtin(2).scale)"
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    found = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout if os.path.exists("/sbin/ldconfig") else ""
    if "libsrcore.so.0" in found:
        pytest.skip("a libsrcore.so.0 is installed system-wide: the loader's search finds it first")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(tmp_path / "prefix" / "lib" / "libsrcore.so.0"), "2"]


def test_type_hints_check_strictly(tmp_path):
    """py.typed ships with the package and its annotations pass mypy --strict (when mypy is installed)."""
    pytest.importorskip("mypy")
    package = os.path.dirname(os.path.abspath(srcore.__file__))
    assert os.path.isfile(os.path.join(package, "py.typed"))
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path),
                        "-p", "srcore"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
