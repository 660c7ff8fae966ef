#!/usr/bin/env bash
# Stops what up.sh started; leaves the machine's own dockerd (daemon A) running.
set -uo pipefail
ID=${DESTUI_TESTBED_ID:-destui-tb}
STATE=${DESTUI_TESTBED_DIR:-/tmp/destui-testbed}
B_RUN="/run/$ID"
docker -H unix:///var/run/docker.sock rm -f destui-tb-proxy >/dev/null 2>&1
docker -H unix:///var/run/docker.sock network rm destui-tb-proxynet >/dev/null 2>&1
[ -f "$STATE/sshd.pid" ] && kill "$(cat "$STATE/sshd.pid")" 2>/dev/null
if [ -f "$B_RUN/dockerd.pid" ]; then
  pid=$(cat "$B_RUN/dockerd.pid"); kill "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
fi
ip netns del "$ID-b" 2>/dev/null
sed -i "\|^Include $STATE/ssh_config\$|d" ~/.ssh/config 2>/dev/null
rm -rf "$STATE" "$B_RUN"
echo "testbed down"
