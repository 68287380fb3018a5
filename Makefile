# revcore: `make test` is the whole check CI runs (.ci/run). It installs what it needs itself:
# a Python venv with maturin and pytest, the npm packages of bindings-node, the uniffi-bindgen
# binary. Only Rust, Python 3.11 with pip and Node 20 with npm are assumed.

SHELL := /bin/bash
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
CARGO_TARGET := $(CURDIR)/target
UNIFFI_LIB := $(CARGO_TARGET)/debug/librevcore_swift.so

.PHONY: test lint fmt rust-test python-test node-test swift-test portability-test venv quickstart bench \
	schema

test: lint rust-test python-test node-test swift-test portability-test
	@echo "make test: all suites passed"

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

rust-test:
	cargo test --workspace --exclude revcore-python --exclude revcore-node --exclude revcore-swift

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check 'maturin>=1.16,<1.17' 'pytest>=8' \
		'pandas>=2' 'polars>=1' 'mypy>=1.10'

venv: $(PY)

# The wheel is built in the dev profile: tests need it correct, not fast (benches use --release).
python-test: $(PY)
	rm -rf $(CARGO_TARGET)/wheels
	$(VENV)/bin/maturin build --manifest-path bindings-python/Cargo.toml --out $(CARGO_TARGET)/wheels --quiet
	$(PIP) install --quiet --disable-pip-version-check --force-reinstall --no-deps $(CARGO_TARGET)/wheels/revcore-*.whl
	cd bindings-python && $(PY) -m pytest -q tests
	$(PY) -m pytest -q tests/docs

node-test:
	cd bindings-node && npm install --no-audit --no-fund --loglevel=error && npm run build && npm test
	cargo test -q -p revcore-node --lib
	node --test tests/docs/

swift-test: $(PY)
	bash bindings-swift/generate.sh
	cd bindings-swift && $(PY) -m pytest -q tests

# A model trained in Python scores the same bits in Node and in the uniffi layer. Needs what the
# three suites before it build (the wheel in the venv, the Node addon, the uniffi module), so it
# runs after them; in `make test` each of them runs once.
portability-test: python-test node-test swift-test
	$(PY) -m pytest -q tests/portability

quickstart:
	cargo run --release -p revcore --example quickstart

bench:
	cargo bench -p revcore-benches

# Rewrites the committed JSON Schemas under schema/ from the Rust types.
schema:
	REVCORE_BLESS=1 cargo test -p revcore-conformance --test schema
