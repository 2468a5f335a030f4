#!/usr/bin/env bash
# Installs everything the build and tests need. Idempotent: each step checks
# first, so a second run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
# `make lint` (run by `make test`): formatting and clippy.
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

# ring compiles C and assembly for wasm32 with clang.
if ! command -v clang >/dev/null; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq clang >/dev/null
fi

# The CLI must be exactly the version of the wasm-bindgen crate pinned in Cargo.toml.
want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$want" --quiet
fi

# Rate-limit tests start their own Redis on a loopback port.
if ! command -v redis-server >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` rather than `npm ci`: with this machine's npm settings the lock
  # file omits other platforms' optional packages (deno, workerd), which `npm ci`
  # rejects; `npm install` still installs exactly the locked versions.
  npm install --no-audit --no-fund --loglevel=error
fi
