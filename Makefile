# srcore — the README's commands live here. Every target installs missing system packages first.
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
APT_PACKAGES := libpng-dev libopenblas-dev libhdf5-dev pkg-config
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)

.PHONY: deps build release test demo bench clean

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

## test: the whole test suite
test: deps
	$(SWIFT) test

clean:
	rm -rf .build
