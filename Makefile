# srcore — the README's commands live here. Every target installs missing system packages first.
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
APT_PACKAGES := libpng-dev libjpeg62-turbo-dev libwebp-dev libopenblas-dev libhdf5-dev pkg-config openmpi-bin libopenmpi-dev
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)

.PHONY: check-layers deps test-deps build release test demo bench clean lib install ctest tbtest clitest sttest sweeptest diagtest ctest-tsan bench-srprep bench-infer bench-layers mpitest

## deps: install the C libraries with apt-get when they are missing
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## build: debug build of everything
build: deps
	$(SWIFT) build

## release: optimised build (benchmarks and the demo use it)
release: deps
	$(SWIFT) build -c release

## test-deps: what the host tests need beyond the build: valgrind, exiftool (apt-get) and numpy, h5py, Pillow,
## tensorboard, safetensors (pip), each installed only when missing
PY_TEST_PACKAGES := numpy h5py pillow tensorboard safetensors
test-deps: deps
	@dpkg -s valgrind >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "installing: valgrind"; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq valgrind; }
	@# exiftool: reads back the metadata of JPEG outputs in Tests/cli/test_photos.py (docs/image-formats.md)
	@dpkg -s libimage-exiftool-perl >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "installing: libimage-exiftool-perl"; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libimage-exiftool-perl; }
	@python3 -c "import numpy, h5py, PIL, tensorboard, safetensors" 2>/dev/null || { echo "installing: $(PY_TEST_PACKAGES)"; \
	  python3 -m pip install -q $(PY_TEST_PACKAGES); }

## check-layers: no target of the core imports a layer above or beside it (Package.swift + imports)
check-layers:
	python3 Tests/layers/check_layers.py

## test: the whole test suite
test: test-deps
	$(MAKE) --no-print-directory check-layers
	$(SWIFT) test
	$(MAKE) --no-print-directory clitest
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory ctest
	$(MAKE) --no-print-directory tbtest
	$(MAKE) --no-print-directory sttest
	$(MAKE) --no-print-directory sweeptest
	$(MAKE) --no-print-directory diagtest
	$(MAKE) --no-print-directory faulttest
	$(MAKE) --no-print-directory ctest-asan
	$(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory dasktest
	$(MAKE) --no-print-directory mpitest

## clitest: end-to-end tests of the debug sr and srprep binaries, run as a user would (Tests/cli,
## Python stdlib): exit codes, messages, files left behind, option validation, Ctrl-C cleanup (~30 s)
clitest: deps
	$(SWIFT) build --product sr
	$(SWIFT) build --product srprep
	python3 Tests/cli/run.py "$$($(SWIFT) build --show-bin-path)"

## fuzz: libFuzzer + AddressSanitizer campaigns of every parser of untrusted bytes (PNG, weights, TF
## bundles, JSON/safetensors headers, legacy HDF5 weights), FUZZ_SECONDS each (docs/fuzzing.md)
FUZZ_SECONDS ?= 60
fuzz: deps
	Tests/fuzz/run.sh $(FUZZ_SECONDS)

## fuzz-smoke: builds the harnesses and runs each one briefly from its seeds and regression inputs
fuzz-smoke: deps
	Tests/fuzz/run.sh --smoke

## tbtest: TensorBoard's own loader (EventAccumulator) reads the event files of a short sr train run
## (installs the tensorboard package with pip when it is missing)
tbtest: test-deps
	$(SWIFT) build --product sr
	python3 Tests/python/check_tensorboard_events.py "$$($(SWIFT) build --show-bin-path)/sr"

## sweeptest: sr sweep end to end on a tiny patch set (Tests/python/check_sweep.py, ~30 s): killed after its
## first finished run and rerun (nothing finished is redone), summary.md against Python statistics, plan errors
sweeptest: test-deps
	$(SWIFT) build --product sr
	python3 Tests/python/check_sweep.py "$$($(SWIFT) build --show-bin-path)/sr"

## diagtest: sr diagnose end to end (Tests/python/check_diagnose.py, ~5 s): activation statistics against numpy on
## the dumped tensors, error-map pixels against the documented colour ramp, the worst patch of a crafted set traced
diagtest: test-deps
	$(SWIFT) build --product sr
	$(SWIFT) build --product srprep
	python3 Tests/python/check_diagnose.py "$$($(SWIFT) build --show-bin-path)"

## sttest: safetensors interop: Python (the safetensors package and a stdlib + numpy reader) reads the
## weights srcore writes and srcore reads the ones Python writes, every float compared exactly
sttest: test-deps
	$(SWIFT) build --product sr
	python3 Tests/python/check_safetensors_interop.py "$$($(SWIFT) build --show-bin-path)/sr"

## faulttest: a full disk (a small tmpfs, or ulimit -f) and kill -9 for srprep build/merge and
## sr upscale/train/import-tf: clean errors, destinations whole or untouched, no temp files (docs/faults.md)
.PHONY: faulttest
faulttest: test-deps
	$(SWIFT) build --product sr
	$(SWIFT) build --product srprep
	python3 Tests/faults/run_faults.py "$$($(SWIFT) build --show-bin-path)"

## lib: release build of libsrcore.so, the C API of include/srcore.h (builtin models from Models/)
lib: deps
	@for f in Models/dcscn-x2.safetensors Models/dcscn-x3.safetensors Models/dcscn-x4.safetensors Models/dcscn-best-x2.safetensors; do \
	  if [ -e "$$f" ] && [ "$$f" -nt Sources/CModels/models.c ]; then touch Sources/CModels/models.c; fi; done
	$(SWIFT) build -c release --product srcore
	@if ldd "$(RELEASE_BIN)/libsrcore.so" | grep -q libmpi; then \
	  echo "libsrcore.so links MPI; only sr and srprep may (docs/scale-out.md)"; exit 1; fi

## install: include/srcore.h, libsrcore.so.0 (stripped: 40% smaller, and valgrind 3.19 cannot read
##          clang 21 DWARF 5), the libsrcore.so link and lib/pkgconfig/srcore.pc under PREFIX
install: lib
	@p="$(abspath $(PREFIX))"; d="$(DESTDIR)$$p"; \
	v=$$(sed -n 's/^#define SR_VERSION_STRING "\(.*\)"/\1/p' include/srcore.h); \
	set -x; install -d "$$d/include" "$$d/lib/pkgconfig" && \
	install -m 644 include/srcore.h "$$d/include/srcore.h" && \
	install -m 755 -s "$(RELEASE_BIN)/libsrcore.so" "$$d/lib/libsrcore.so.0" && \
	ln -sf libsrcore.so.0 "$$d/lib/libsrcore.so" && \
	sed -e "s|@PREFIX@|$$p|g" -e "s|@VERSION@|$$v|g" srcore.pc.in > "$$d/lib/pkgconfig/srcore.pc"

## ctest: C, C++ and Python host tests of libsrcore, built against a temporary install (valgrind, TSan)
ctest: lib test-deps pytest-deps
	$(SWIFT) build -c release --product sr
	$(MAKE) --no-print-directory install PREFIX="$(CURDIR)/.build/ctest/prefix"
	Tests/c/run.sh "$(CURDIR)/.build/ctest" "$(RELEASE_BIN)"

## ctest-tsan: the threaded C tests under ThreadSanitizer, against a TSan-instrumented libsrcore (.build-tsan)
ctest-tsan: deps
	$(SWIFT) build -c release --product sr
	$(SWIFT) build -c release --sanitize=thread --product srcore --scratch-path .build-tsan
	mkdir -p .build/ctest-tsan && Tests/c/run.sh "$(CURDIR)/.build/ctest-tsan" "$(RELEASE_BIN)" tsan "$(CURDIR)/.build-tsan/release"

## ctest-asan: the C host tests under AddressSanitizer + UndefinedBehaviorSanitizer, against a libsrcore
## built with --sanitize=address (Swift and C) and -fsanitize=undefined (its C targets) in .build-asan
.PHONY: ctest-asan
ctest-asan: deps
	$(SWIFT) build -c release --product sr
	$(SWIFT) build -c release --sanitize=address -Xcc -fsanitize=undefined --product srcore --scratch-path .build-asan
	mkdir -p .build/ctest-asan && Tests/c/run.sh "$(CURDIR)/.build/ctest-asan" "$(RELEASE_BIN)" asan "$(CURDIR)/.build-asan/release"

## bench-srprep: srprep build vs. the Python baseline on ../shared/data/train/yang91 (x2, 8x augmentation)
bench-srprep: deps
	bench/srprep_bench.sh

## bench-infer: sr bench (c-DCSCN and L12 x2, 256 and 512 LR) vs. onnxruntime on the same weights, 2 threads
bench-infer: deps
	$(SWIFT) build -c release --product sr
	python3 bench/onnx_peer.py --sr "$(RELEASE_BIN)/sr" --threads 2

## bench-layers: each c-DCSCN x2 forward conv alone (bench/conv_layers.c, clang -O3 as the CKernels target) against the FMA ceiling; ROWS=64 strip height (2: cache-resident)
ROWS ?= 64
bench-layers: deps
	mkdir -p .build
	clang -O3 -fno-math-errno -I Sources/CKernels/include -I Sources/CKernels -o .build/bench-conv-layers \
	  bench/conv_layers.c Sources/CKernels/conv.c Sources/CKernels/conv_avx2.c Sources/CKernels/conv_avx512.c Sources/CKernels/alloc.c \
	  Sources/CKernels/cpu.c Sources/CKernels/fma_peak.c -lpthread -lm
	.build/bench-conv-layers $(ROWS)

## demo: upscale a picture with the shipped x2 model (IMAGE=path to use your own; SCALE=2|3|4)
IMAGE ?=
SCALE ?= 2
demo: release
	@set -e; B="$(RELEASE_BIN)"; mkdir -p demo-out; \
	if [ -n "$(IMAGE)" ]; then in="$(IMAGE)"; else in=demo-out/sample.png; \
	  "$$B/sr" sample -o "$$in" --width 320 --height 240; echo "drew a sample picture: $$in"; fi; \
	name=$$(basename "$$in" .png); out="demo-out/$$name-x$(SCALE).png"; \
	"$$B/sr" upscale "$$in" -o "$$out" --scale $(SCALE) --force; \
	echo "upscaled x$(SCALE) with the shipped model: $$in -> $$out"; \
	if [ -d ../shared/data/eval/set5 ] && [ -f Models/dcscn-x$(SCALE).safetensors ]; then \
	  echo "set5 evaluation of the shipped x$(SCALE) model (model vs bicubic):"; \
	  "$$B/sr" eval --model Models/dcscn-x$(SCALE).safetensors ../shared/data/eval/set5; fi

## --- Python: the srcore package (python/) and the Dask example (examples/dask) ---------------------
.PHONY: pytest-deps pyinstall pytest wheel dasktest
# pip into python3 as test-deps does; PIP_BREAK_SYSTEM_PACKAGES also lets it install into a Debian 12
# system python3 (an "externally managed" environment); other pythons ignore it
PIP_INSTALL := PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q

## pytest-deps: pytest (pip) when it is missing (python/tests; make ctest runs them too)
pytest-deps: test-deps
	@python3 -c "import pytest" 2>/dev/null || { echo "installing: pytest"; $(PIP_INSTALL) pytest; }

## pyinstall: pip install ./python into python3 (its setup.py builds libsrcore in release and bundles it)
pyinstall: lib pytest-deps
	$(PIP_INSTALL) ./python

## pytest: the package's tests (python/tests) against the installed package; `sr upscale` is the peer
pytest: pyinstall
	$(SWIFT) build -c release --product sr
	SRCORE_SR="$(RELEASE_BIN)/sr" python3 -m pytest -q -p no:cacheprovider python/tests

## wheel: python/dist/srcore-<version>-py3-none-<platform>.whl, libsrcore bundled (needs libpng, libjpeg, libwebp, libhdf5,
## libopenblas on the target machine, as `make deps` installs)
wheel: lib
	python3 -m pip wheel -q --no-deps -w python/dist ./python

## dasktest: examples/dask/upscale_folder.py on a LocalCluster of two worker processes, and through
## --scheduler, equals `sr upscale` byte for byte (installs dask and distributed with pip when missing)
DASK_PACKAGES := dask distributed
dasktest: pyinstall
	@python3 -c "import dask, distributed" 2>/dev/null || { echo "installing: $(DASK_PACKAGES)"; \
	  $(PIP_INSTALL) $(DASK_PACKAGES); }
	$(SWIFT) build -c release --product sr
	SRCORE_SR="$(RELEASE_BIN)/sr" python3 -m pytest -q -p no:cacheprovider examples/dask

## mpitest: `mpirun -np 2 sr train` against one process with 2 threads (loss curves, weights), the
## same job twice, the parameter-checksum guard, resume with another N, a killed rank then --resume,
## `mpirun -np 2 sr sweep` against the one-process sweep and its rerun (~2 min)
mpitest: deps
	$(SWIFT) build --product sr
	$(SWIFT) build --product srprep
	python3 Tests/mpi/test_mpi.py "$$($(SWIFT) build --show-bin-path)"

clean:
	rm -rf .build

## bench-photos: a folder of 8 JPEG photos (~1.4 MP) at x2, `sr upscale` end to end against Pillow +
## onnxruntime + Pillow with the same weights; median wall time and peak RSS side by side (docs/image-formats.md)
bench-photos: deps
	$(SWIFT) build -c release --product sr
	@python3 -c "import onnx, onnxruntime, PIL, numpy, h5py" 2>/dev/null || $(PIP_INSTALL) onnx onnxruntime pillow numpy h5py
	python3 bench/photos_peer.py --sr "$(RELEASE_BIN)/sr"
