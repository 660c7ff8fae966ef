#!/usr/bin/env bash
# The README's test command: installs what is missing, starts (or reuses) the real testbed,
# then runs the whole suite with live tests required: DESTUI_REQUIRE_TESTBED=1 turns a missing
# testbed into a failure instead of a skip. Extra arguments go to `cargo test`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# rustup installs into ~/.cargo/bin, which a non-login shell (CI) may not have on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

tests/testbed/install.sh
# up.sh prints the env file's path as its last line on stdout (progress goes to stderr).
env_file=$(tests/testbed/up.sh | tail -n 1)
[ -f "$env_file" ] || { echo "testbed: up.sh did not name an env file (got '$env_file')" >&2; exit 1; }

export DESTUI_TESTBED_ENV="$env_file" DESTUI_REQUIRE_TESTBED=1
# One build directory per user and machine, shared by every checkout: a fresh clone (CI's)
# then compiles destui itself, not its ~300 dependencies again. CARGO_TARGET_DIR wins.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/destui-target-$(id -u)}"
exec cargo test --locked "$@"
