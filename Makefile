# `make demo` and `make test` are the two commands a newcomer needs; both
# install what they need first (scripts/setup.sh).
SHELL := bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

WASM := target/wasm32-unknown-unknown/release/scopemint.wasm

.PHONY: setup wasm pkg test test-rust test-js test-runtimes demo clean

setup:
	@bash scripts/setup.sh

wasm: setup
	cargo build --release --lib --target wasm32-unknown-unknown
	wasm-bindgen --target nodejs --out-dir target/bindgen/node --out-name scopemint $(WASM)
	wasm-bindgen --target web --out-dir target/bindgen/web --out-name scopemint $(WASM)

pkg: wasm
	node scripts/build-pkg.mjs

test-rust: setup
	cargo test --quiet

test-js: pkg
	node --test --test-reporter=spec tests/js/
	npx tsc -p tests/js/tsconfig.json

# Node (CommonJS, ESM), Deno, Bun, workerd and headless Chromium, plus worker_threads.
test-runtimes: pkg
	@bash scripts/setup-runtimes.sh
	node tests/runtimes/run-all.mjs
	node --test --test-reporter=spec tests/runtimes/worker-threads.test.mjs

test: test-rust test-js test-runtimes

demo: pkg
	node examples-node/demo.mjs

clean:
	rm -rf pkg target/bindgen
