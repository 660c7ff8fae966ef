#!/usr/bin/env bash
# Starts the testbed of DESIGN.md §6 and writes <state>/testbed.env (its path is printed last).
# Idempotent: a second run reuses what is running; a run after a half-failed one repairs.
#   daemon A  the machine's dockerd on /var/run/docker.sock (standalone)
#   daemon B  a second dockerd in its own network namespace, a single-node swarm manager
#             (in A's namespace it would break A's bridge)
#   sshd      on 127.0.0.1, a free port, generated keys, key-only, with an ssh config file
#   proxy     a busybox "proxy" container on each daemon, on its own user-defined network
set -euo pipefail

ID=${DESTUI_TESTBED_ID:-destui-tb}
STATE=${DESTUI_TESTBED_DIR:-/tmp/destui-testbed}
NS="$ID-b"
B_RUN="/run/$ID"              # short: unix socket paths must stay under ~104 bytes
SOCK_A=/var/run/docker.sock
SOCK_B="$B_RUN/b.sock"
IMAGE=destui-busybox:latest
PROXY=destui-tb-proxy
PROXY_NET=destui-tb-proxynet
USER_NAME=$(id -un)

mkdir -p "$STATE" "$B_RUN"
chmod 700 "$STATE"

# wait_until SECONDS WHAT LOG CMD... : polls CMD until it succeeds or the deadline passes.
wait_until() {
  local seconds=$1 what=$2 log=$3; shift 3
  local end=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then
      echo "testbed: $what did not come up within ${seconds}s; see $log" >&2
      tail -n 20 "$log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

dk_a() { docker -H "unix://$SOCK_A" "$@"; }
dk_b() { docker -H "unix://$SOCK_B" "$@"; }

# ---- daemon A ----
if ! dk_a info >/dev/null 2>&1; then
  setsid nohup dockerd >"$STATE/dockerd-a.log" 2>&1 </dev/null &
  wait_until 90 "dockerd A" "$STATE/dockerd-a.log" dk_a info
fi

# ---- daemon B ----
if ! dk_b info >/dev/null 2>&1; then
  [ -e "/run/netns/$NS" ] || ip netns add "$NS"
  nsenter --net="/run/netns/$NS" ip link set lo up
  if [ -f "$B_RUN/dockerd.pid" ]; then
    kill "$(cat "$B_RUN/dockerd.pid")" 2>/dev/null || true
    sleep 1
    rm -f "$B_RUN/dockerd.pid"
  fi
  rm -f "$SOCK_B"
  mkdir -p "$B_RUN/exec" "/var/lib/$ID-b"
  # `ip netns exec` fails on this kind of machine: nsenter does the same job.
  setsid nohup nsenter --net="/run/netns/$NS" dockerd \
    -H "unix://$SOCK_B" --data-root "/var/lib/$ID-b" --exec-root "$B_RUN/exec" \
    --pidfile "$B_RUN/dockerd.pid" --cgroup-parent "$ID-b" \
    >"$STATE/dockerd-b.log" 2>&1 </dev/null &
  wait_until 90 "dockerd B" "$STATE/dockerd-b.log" dk_b info
fi
if [ "$(dk_b info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  dk_b swarm init --advertise-addr 127.0.0.1 >/dev/null
fi

# ---- the image (no registry: built from busybox-static) ----
busybox=$(command -v busybox || echo /bin/busybox)
for d in a b; do
  if ! "dk_$d" image inspect "$IMAGE" >/dev/null 2>&1; then
    root=$(mktemp -d)
    mkdir -p "$root/bin" "$root/tmp"
    cp "$busybox" "$root/bin/busybox"
    for applet in sh sleep true cat ls echo ip ping wget nc; do ln -sf busybox "$root/bin/$applet"; done
    tar -C "$root" -c . | "dk_$d" import -c 'CMD ["/bin/sleep","2147483647"]' - "$IMAGE" >/dev/null
    rm -rf "$root"
  fi
done

# ---- the proxy on each daemon ----
for d in a b; do
  "dk_$d" network inspect "$PROXY_NET" >/dev/null 2>&1 || "dk_$d" network create "$PROXY_NET" >/dev/null
  # Running, and still on its network (a network removed under it leaves it running).
  on_net=$("dk_$d" inspect -f "{{.State.Running}} {{with index .NetworkSettings.Networks \"$PROXY_NET\"}}on{{end}}" "$PROXY" 2>/dev/null || true)
  if [ "$on_net" != "true on" ]; then
    "dk_$d" rm -f "$PROXY" >/dev/null 2>&1 || true
    "dk_$d" run -d --name "$PROXY" --network "$PROXY_NET" --restart unless-stopped \
      "$IMAGE" /bin/sleep 2147483647 >/dev/null
  fi
done

# ---- sshd ----
for key in host_key client_key docker_b_key; do
  [ -f "$STATE/$key" ] || ssh-keygen -q -t ed25519 -N '' -C "$ID-$key" -f "$STATE/$key"
done
{
  cat "$STATE/client_key.pub"
  # `docker -H ssh://` runs `docker system dial-stdio` remotely: this key aims it at B.
  echo "environment=\"DOCKER_HOST=unix://$SOCK_B\" $(cat "$STATE/docker_b_key.pub")"
} >"$STATE/authorized_keys"

write_client_files() {
  local port=$1
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$STATE/host_key.pub")" >"$STATE/known_hosts"
  {
    for host in destui-a destui-b destui-b-docker; do
      key=client_key
      [ "$host" = destui-b-docker ] && key=docker_b_key
      cat <<CFG
Host $host
  HostName 127.0.0.1
  Port $port
  User $USER_NAME
  IdentityFile $STATE/$key
  IdentitiesOnly yes
  UserKnownHostsFile $STATE/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes

CFG
    done
  } >"$STATE/ssh_config"
}

sshd_alive() {
  [ -f "$STATE/sshd.pid" ] && kill -0 "$(cat "$STATE/sshd.pid")" 2>/dev/null && [ -f "$STATE/port" ] &&
    ssh -F "$STATE/ssh_config" -o ConnectTimeout=5 destui-a true
}

if [ -f "$STATE/port" ]; then write_client_files "$(cat "$STATE/port")"; fi
if ! sshd_alive; then
  [ -f "$STATE/sshd.pid" ] && kill "$(cat "$STATE/sshd.pid")" 2>/dev/null || true
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  echo "$port" >"$STATE/port"
  cat >"$STATE/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $STATE/host_key
PidFile $STATE/sshd.pid
AuthorizedKeysFile $STATE/authorized_keys
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
MaxSessions 100
MaxStartups 100:30:200
PermitUserEnvironment DOCKER_HOST
LogLevel VERBOSE
CFG
  mkdir -p /run/sshd
  /usr/sbin/sshd -f "$STATE/sshd_config" -E "$STATE/sshd.log"
  write_client_files "$port"
  wait_until 30 "sshd" "$STATE/sshd.log" ssh -F "$STATE/ssh_config" -o ConnectTimeout=5 destui-a true
fi
port=$(cat "$STATE/port")

# `docker -H ssh://destui-b-docker` (a benchmark peer) uses the plain ssh config: include ours,
# at the top so that it is not swallowed by an earlier Host block.
mkdir -p ~/.ssh && chmod 700 ~/.ssh
include="Include $STATE/ssh_config"
if ! grep -qxF "$include" ~/.ssh/config 2>/dev/null; then
  { echo "$include"; cat ~/.ssh/config 2>/dev/null || true; } >~/.ssh/config.new
  mv ~/.ssh/config.new ~/.ssh/config
  chmod 600 ~/.ssh/config
fi

cat >"$STATE/testbed.env.tmp" <<ENV
DESTUI_TB_DIR=$STATE
DESTUI_TB_SSH_CONFIG=$STATE/ssh_config
DESTUI_TB_SSH_PORT=$port
DESTUI_TB_USER=$USER_NAME
DESTUI_TB_CLIENT_KEY=$STATE/client_key
DESTUI_TB_KNOWN_HOSTS=$STATE/known_hosts
DESTUI_TB_HOST_A=destui-a
DESTUI_TB_HOST_B=destui-b
DESTUI_TB_DOCKER_SSH_HOST=destui-b-docker
DESTUI_TB_SOCKET_A=$SOCK_A
DESTUI_TB_SOCKET_B=$SOCK_B
DESTUI_TB_NETNS_B=$NS
DESTUI_TB_PROXY=$PROXY
DESTUI_TB_PROXY_NET=$PROXY_NET
DESTUI_TB_IMAGE=$IMAGE
ENV
mv "$STATE/testbed.env.tmp" "$STATE/testbed.env"
echo "$STATE/testbed.env"
