#!/usr/bin/env bash
# Installs what tests/runtimes needs beyond npm: only Chromium, from apt.
# deno, bun and workerd are npm devDependencies (scripts/setup.sh installs them).
# Idempotent: does nothing when /usr/bin/chromium already exists.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update -qq
  # Debian's chromium package; playwright's own browser download is never used.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
