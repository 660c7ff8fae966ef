#!/usr/bin/env bash
# The README's test command: install what is missing, start the real testbed, run the suite
# with live tests required (a missing testbed fails them instead of skipping).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
tests/testbed/install.sh
env_file=$(tests/testbed/up.sh | tail -n 1)
export DESTUI_TESTBED_ENV="$env_file" DESTUI_REQUIRE_TESTBED=1
exec cargo test --locked "$@"
