#!/usr/bin/env bash
# One `destui destination create` / `delete` per process against a warm server, next to
# `docker -H ssh://` doing the same steps (create + connect proxy, disconnect + rm) on daemon B.
# Needs the testbed (tests/testbed/up.sh) and a release build (cargo build --release).
# Not the §7 benchmark (issue 6): a quick, reproducible pair of numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC1091
# shellcheck source=/dev/null
set -a; . "${DESTUI_TESTBED_ENV:-/tmp/destui-testbed/testbed.env}"; set +a
B=target/release/destui
DESTUI_DB=$(mktemp -d); DESTUI_RUNTIME_DIR=$(mktemp -d); DESTUI_SSH_CONFIG=$DESTUI_TB_SSH_CONFIG
export DESTUI_DB DESTUI_RUNTIME_DIR DESTUI_SSH_CONFIG
$B server add bee --host "$DESTUI_TB_HOST_B" --docker-socket "$DESTUI_TB_SOCKET_B" --proxy-container "$DESTUI_TB_PROXY" >/dev/null
ms() { local s; s=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }
both() { "$@"; }
H="ssh://$DESTUI_TB_DOCKER_SSH_HOST"
c=(); d=(); dc=(); dd=()
for i in 1 2 3 4 5; do
  c+=("$(ms $B destination create --server bee --network "m-$$-$i")")
  d+=("$(ms $B destination delete "bee/m-$$-$i")")
  dc+=("$(ms both sh -c "docker -H $H network create -d overlay --attachable x-$$-$i && docker -H $H network connect x-$$-$i $DESTUI_TB_PROXY")")
  dd+=("$(ms both sh -c "docker -H $H network disconnect x-$$-$i $DESTUI_TB_PROXY && docker -H $H network rm x-$$-$i")")
done
echo "destui create (ms):                     ${c[*]}"
echo "docker -H ssh:// create+connect (ms):   ${dc[*]}"
echo "destui delete (ms):                     ${d[*]}"
echo "docker -H ssh:// disconnect+rm (ms):    ${dd[*]}"
for f in "$DESTUI_RUNTIME_DIR"/*/.ssh-connection*/master; do ssh -S "$f" -O exit x 2>/dev/null || true; done
rm -rf "$DESTUI_DB" "$DESTUI_RUNTIME_DIR"
