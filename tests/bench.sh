#!/usr/bin/env bash
# The §7 benchmark (issue 6): starts the testbed, builds release, prints one table of ratios
# measured side by side in this run, for every target of DESIGN.md §7 (~10 minutes on 2 cores,
# most of it the import of 300 networks). Not part of the test suite's pass/fail (timings are
# noisy); tests/bench_smoke.rs runs `bench --smoke` to keep it working.
# Arguments go to the bench: --batch-only, --many-only (many servers), --owner-only (commands
# forwarded to an open TUI), --far-only (far servers, through the testbed's relay) or
# --live-only (live state: event to screen, idle CPU, keys during a storm of networks) for one
# group of rows alone; --smoke for a tiny run.
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
