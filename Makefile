# deepgram-live-wasm: the two commands a newcomer needs are `make demo` and `make test`.
# Every target installs what it needs first (scripts/setup.sh: pinned, idempotent).
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
DEMO_PORT ?= 8080

.PHONY: help setup setup-browser setup-npm setup-espeak fmt-check clippy test-native test-browser test-types test-e2e test pkg demo bench clean

help:
	@echo "make demo   build the package and serve the demo against the local server (no API key needed)"
	@echo "make test   format, lint, native tests, type checks, browser and end-to-end tests in Chromium, Firefox and WebKit"
	@echo "make pkg    build the npm package into pkg/"
	@echo "make bench  print the benchmark figures"

setup:
	@scripts/setup.sh

setup-browser:
	@scripts/setup.sh --browser

setup-npm:
	@scripts/setup.sh --browser --npm --espeak

setup-espeak:
	@scripts/setup.sh --espeak

fmt-check:
	$(CARGO) fmt --all -- --check

clippy: setup
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p deepgram-live-wasm -p deepgram-live-dsp -p deepgram-live-wasm-package -p dtmf --all-targets --target wasm32-unknown-unknown -- -D warnings

test-native:
	$(CARGO) test --workspace

test-browser: setup-npm
	scripts/browser-test.sh

# The package's TypeScript declarations against a typed usage example (with @ts-expect-error checks).
test-types: setup-npm
	node_modules/.bin/tsc -p tests/types

# The built package in Chromium (playwright-core), Firefox and WebKit (WebDriver): the demo, and a Vite app from
# the packed tarball under a strict Content-Security-Policy.
test-e2e: setup-npm
	scripts/e2e.sh

# Format, lint (native + wasm32), native tests, type declarations, browser tests, end-to-end tests.
test: setup-npm
	$(MAKE) --no-print-directory fmt-check
	$(MAKE) --no-print-directory clippy
	$(MAKE) --no-print-directory test-native
	$(MAKE) --no-print-directory test-types
	$(MAKE) --no-print-directory test-browser
	$(MAKE) --no-print-directory test-e2e

pkg: setup-npm
	scripts/build-pkg.sh

demo: pkg setup-espeak
	$(CARGO) build --release -p deepgram-live-server
	@echo "demo: open http://127.0.0.1:$(DEMO_PORT)/ (Ctrl-C stops the server)"
	target/release/deepgram-live-server --port $(DEMO_PORT) --www www --pkg pkg --open --tts espeak

bench: setup-npm
	@scripts/setup.sh --bench
	scripts/bench.sh

clean:
	$(CARGO) clean
	rm -rf pkg node_modules
