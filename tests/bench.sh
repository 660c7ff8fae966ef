#!/usr/bin/env bash
# The §7 benchmark (issue 6): starts the testbed, builds release, prints one table of ratios
# measured side by side in this run. Not part of the test suite (timings are noisy).
# So far: the batch rows (20 x create + connect proxy + disconnect + delete on daemon A).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
tests/testbed/install.sh
env_file=$(tests/testbed/up.sh | tail -n 1)
export DESTUI_TESTBED_ENV="$env_file"
cargo build --release --locked --bins --examples
exec target/release/examples/bench "$@"
