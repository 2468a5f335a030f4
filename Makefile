# `make demo` and `make test` are the two commands a newcomer needs; both
# install what they need first (scripts/setup.sh).
SHELL := bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

WASM := target/wasm32-unknown-unknown/release/scopemint.wasm
SERVER_WASM := target/wasm32-unknown-unknown/server/scopemint.wasm

.PHONY: setup wasm pkg test lint test-rust test-js test-runtimes test-bundlers test-bench test-demo bench soak demo serve clean

setup:
	@bash scripts/setup.sh

# Three wasm builds: the main one; `--features server` (SQL parser, template engine) for
# `scopemint/server`, under its own cargo profile so neither rebuilds the other; and the
# decode-only wasm of crates/decode for `scopemint/decode` (plain exports, no wasm-bindgen).
BINDGEN := wasm-bindgen --remove-name-section --remove-producers-section
DECODE_WASM := target/wasm32-unknown-unknown/decode/scopemint_decode.wasm
# The wasm features rustc emits for wasm32-unknown-unknown, which binaryen must accept.
WASM_OPT := node_modules/.bin/wasm-opt --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int

wasm: setup
	cargo build --release --lib --target wasm32-unknown-unknown
	cargo build --profile server --lib --target wasm32-unknown-unknown --features server
	cargo rustc -p scopemint-decode --profile decode --target wasm32-unknown-unknown --features wasm-entry --crate-type cdylib -- -C link-arg=--strip-all
	@# Binaryen's size pass takes ~14% off the decode wasm, which keeps scopemint/decode under 15 KB gzip.
	$(WASM_OPT) -Oz $(DECODE_WASM) -o $(DECODE_WASM)
	@# Without the name section (it only serves debuggers) the wasm is ~8% smaller gzipped.
	@# One glue per wasm (`web`: ES module, synchronous initSync), used by every entry.
	$(BINDGEN) --target web --out-dir target/bindgen/web --out-name scopemint $(WASM)
	$(BINDGEN) --target web --out-dir target/bindgen/server-web --out-name scopemint_server $(SERVER_WASM)
	@# Binaryen on the main wasm, after wasm-bindgen (which must read rustc's output): -Os took
	@# 5.7% raw / 1.3% gzip off, and P-256 in wasm (every runtime but Node) got faster, not slower
	@# (bench/README.md, "wasm-opt"). -O3 and -Oz measured within noise of -Os, and larger or slower.
	$(WASM_OPT) -Os target/bindgen/web/scopemint_bg.wasm -o target/bindgen/web/scopemint_bg.wasm
	@# The same -Os on the server wasm: 6.3% raw / 0.2% gzip off the .wasm, 3.1% off its gzipped
	@# base64 module, compile as fast or ~1 ms faster, and the server entry's hot calls within
	@# noise or faster in interleaved runs (bench/README.md, "wasm-opt on the server wasm").
	@# -O3 is larger gzipped; -Oz trades a larger gzipped .wasm for a smaller base64.
	$(WASM_OPT) -Os target/bindgen/server-web/scopemint_server_bg.wasm -o target/bindgen/server-web/scopemint_server_bg.wasm

pkg: wasm
	node scripts/build-pkg.mjs

# Formatting, and clippy on every target as CI sees it: natively (tests, the
# wasm adapter included) and for wasm32, with and without the server feature.
lint: setup
	cargo fmt --all --check
	cargo clippy --quiet --workspace --all-targets --features server -- -D warnings
	cargo clippy --quiet --workspace --all-targets -- -D warnings
	cargo clippy --quiet --lib --target wasm32-unknown-unknown --features server -- -D warnings
	cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings

test-rust: setup lint
	cargo test --quiet --features server
	cargo test --quiet -p scopemint-decode
	cargo test --quiet --test main_build

test-js: pkg
	node --test --test-reporter=spec tests/js/
	npx tsc -p tests/js/tsconfig.json
	node examples-node/quickstart.mjs > /dev/null

# Node (CommonJS, ESM), Deno, Bun, workerd and headless Chromium, plus worker_threads.
test-runtimes: pkg
	@bash scripts/setup-runtimes.sh
	node tests/runtimes/run-all.mjs
	node --test --test-reporter=spec tests/runtimes/worker-threads.test.mjs tests/runtimes/server-entry.test.mjs

# esbuild, webpack 5 and vite (and wrangler) bundle small apps for Node (CJS, ESM: one file,
# run alone), browsers (headless Chromium), workerd and edge-light (edge-runtime); attw
# checks the types of every entry.
test-bundlers: pkg
	@bash scripts/setup-runtimes.sh
	node --test --test-reporter=spec tests/bundlers/
	npx attw --pack pkg

# The suite only checks that the benchmark runs, in Node and in every other runtime (each must
# report figures), and that the chart is drawn; its numbers are never assertions.
test-bench: pkg
	@bash scripts/setup-runtimes.sh
	@mkdir -p test-output
	node bench/run.mjs --quick --json test-output/bench-quick.json --chart test-output/bench-quick.svg > test-output/bench-quick.txt
	@tail -n 4 test-output/bench-quick.txt

# The demo app end to end (tenant isolation, every error status) and its page in headless Chromium.
test-demo: pkg
	@bash scripts/setup-runtimes.sh
	node --test --test-reporter=spec tests/demo/

test: test-rust test-js test-runtimes test-bundlers test-bench test-demo

# 1,000,000 sign+verify cycles with memory readings; minutes, so not in `make test`.
soak: pkg
	node --expose-gc tests/soak/soak.mjs

# `make bench`: full benchmark (~10 min; bench/README.md says what it measures), with the chart
# of its ratios written to docs/bench.svg (the README shows it) and every figure to
# test-output/bench.json. `make bench -- --quick` (or ARGS=--quick): ~1 min smoke run, whose
# chart goes to test-output/bench-quick.svg instead. ARGS="--json FILE" picks another JSON file.
# Words after `--` reach make as goals, so they are passed to run.mjs and made no-op goals here.
BENCH_FLAGS := $(filter --%,$(MAKECMDGOALS))
BENCH_CHART = $(if $(filter --quick,$(BENCH_FLAGS) $(ARGS)),test-output/bench-quick.svg,docs/bench.svg)

bench: pkg
	@bash scripts/setup-runtimes.sh
	@mkdir -p test-output
	node bench/run.mjs --json test-output/bench.json --chart $(BENCH_CHART) $(BENCH_FLAGS) $(ARGS)

ifneq ($(BENCH_FLAGS),)
.PHONY: $(BENCH_FLAGS)
$(BENCH_FLAGS):
	@:
endif

# Scripted tour of the demo app: isolation, overrides, tampered/expired tokens, rate limits.
demo: pkg
	node examples-node/demo/tour.mjs

# The demo app, kept running; prints its URL. PORT and DATABASE_URL are optional.
serve: pkg
	node examples-node/demo/server.mjs

clean:
	rm -rf pkg pkg-server target/bindgen
