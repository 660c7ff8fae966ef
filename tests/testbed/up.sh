#!/usr/bin/env bash
# Starts the testbed of DESIGN.md §6 and writes <state>/testbed.env; its path is the last (and
# only) line on stdout, progress goes to stderr.
#   daemon A  the machine's dockerd on /var/run/docker.sock (standalone)
#   daemon B  a second dockerd in its own network namespace, a single-node swarm manager
#   image     destui-busybox:latest on both, imported from busybox-static (nothing can be pulled)
#   proxy     a container running `sleep` on a user-defined bridge network, on both daemons
#   sshd      on 127.0.0.1, a free port, generated keys, key-only, plus an ssh config naming
#             destui-a, destui-b (client_key) and destui-b-docker (docker_b_key, aimed at B)
#   user      destui-tb-nodocker: logs in with client_key, not in the docker group
#   relay     a TCP relay in front of sshd that delays each direction (relay.py): the same
#             hosts as destui-a-far, destui-b-far and destui-b-docker-far, "far servers"
# Idempotent: a second run reuses whatever is running and answering (same sshd, same port); a
# run after a half-failed one repairs what is missing, dead or stale.
# Environment: DESTUI_TESTBED_DIR (state dir, default /tmp/destui-testbed),
#              DESTUI_TESTBED_ID (short id all names derive from, default destui-tb).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || tb_die "run as root: it creates a network namespace and starts dockerd and sshd"
for cmd in docker dockerd ssh ssh-keygen ip nsenter flock timeout setsid useradd usermod; do
  command -v "$cmd" >/dev/null || tb_die "$cmd is missing; run tests/testbed/install.sh"
done
[ -x /usr/sbin/sshd ] || tb_die "/usr/sbin/sshd is missing; run tests/testbed/install.sh"

started=$SECONDS
mkdir -p "$TB_STATE" "$TB_RUN"
# TB_STATE is searchable by everyone (not listable): sshd reads authorized_keys with the rights
# of the user logging in, and $NODOCKER_USER is not root. The private keys in it are 0600.
chmod 711 "$TB_STATE"
chmod 700 "$TB_RUN"
tb_lock

# wait_for SECONDS WHAT LOG PID CMD...: polls CMD until it succeeds. Fails with a message naming
# LOG when the deadline passes or, if PID is not empty, as soon as that process has died.
wait_for() {
  local seconds=$1 what=$2 log=$3 pid=$4 end
  shift 4
  end=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pid" ] && ! alive "$pid"; then
      tb_say "$what exited while starting; last lines of $log:"
      tail -n 25 "$log" >&2 2>/dev/null || true
      tb_die "$what did not start; see $log"
    fi
    if [ "$SECONDS" -ge "$end" ]; then
      tb_say "$what did not answer within ${seconds}s; last lines of $log:"
      tail -n 25 "$log" >&2 2>/dev/null || true
      tb_die "$what did not answer within ${seconds}s; see $log"
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- daemon A
if ! answers "$SOCK_A"; then
  log_a="$TB_STATE/dockerd-a.log"
  # A dockerd that is already running but not answering yet (just started by the package's init
  # script, say) is waited for: a second one would fail on /var/run/docker.pid.
  if pid_a=$(pid_running_with /var/run/docker.pid dockerd); then
    tb_say "daemon A (pid $pid_a) is running but not answering yet; waiting"
    log_a="the log of the dockerd with pid $pid_a (not started by the testbed)"
  else
    tb_say "starting daemon A (dockerd on $SOCK_A), log in $log_a"
    # No live dockerd owns it (see above): a leftover would stop the new one from starting.
    rm -f /var/run/docker.pid
    # setsid: its own session, so that ^C on the test command does not reach it.
    setsid nohup dockerd </dev/null >>"$TB_STATE/dockerd-a.log" 2>&1 9>&- &
    pid_a=$!
  fi
  wait_for 90 "daemon A" "$log_a" "$pid_a" answers "$SOCK_A"
fi

# ---------------------------------------------------------------- daemon B
# B lives in its own network namespace: in A's namespace its iptables rules and bridge would
# break A's (and its swarm ports would clash). nsenter enters only the network namespace;
# `ip netns exec` would also put dockerd in a mount namespace of its own (it remounts /sys),
# hiding its mounts from the machine (down.sh must unmount them), and it has been seen to fail
# on this kind of machine.
log_b="$TB_STATE/dockerd-b.log"

# b_ok: B answers on its socket and its dockerd is really inside our namespace.
b_ok() {
  local pid ns
  answers "$SOCK_B" || return 1
  pid=$(pid_running_with "$B_PIDFILE" "$SOCK_B") || return 1
  ns=$(netns_inode "$TB_NS") || return 1
  [ "$(readlink "/proc/$pid/ns/net")" = "net:[$ns]" ]
}

if ! b_ok; then
  # Whatever is left of an earlier B (hung, or in a namespace that was deleted) goes first.
  if pid_b=$(pid_running_with "$B_PIDFILE" "$SOCK_B"); then
    tb_say "daemon B (pid $pid_b) is not usable; stopping it"
    stop_pid "$pid_b" "daemon B" 30
  fi
  # dockerd refuses to start while its pidfile names a process that still exists, and a killed
  # dockerd can linger as a zombie for a while: nothing of ours runs now, so the file goes.
  rm -f "$B_PIDFILE"
  if ! nsenter --net="/run/netns/$TB_NS" true 2>/dev/null; then
    # A stale entry (e.g. the bind mount is gone) would make `ip netns add` fail.
    ip netns del "$TB_NS" 2>/dev/null || rm -f "/run/netns/$TB_NS"
    ip netns add "$TB_NS"
  fi
  nsenter --net="/run/netns/$TB_NS" ip link set lo up
  mkdir -p "$B_DATA" "$B_EXEC"
  # Its own (empty) daemon.json: A's /etc/docker/daemon.json may set "hosts" (which conflicts
  # with -H) or pools and mirrors meant for A.
  echo '{}' >"$B_CONFIG"
  rm -f "$SOCK_B"
  tb_say "starting daemon B (dockerd on $SOCK_B in netns $TB_NS), log in $log_b"
  setsid nohup nsenter --net="/run/netns/$TB_NS" dockerd \
    --config-file "$B_CONFIG" -H "unix://$SOCK_B" \
    --data-root "$B_DATA" --exec-root "$B_EXEC" --pidfile "$B_PIDFILE" \
    --cgroup-parent "$B_CGROUP" \
    </dev/null >>"$log_b" 2>&1 9>&- &
  wait_for 90 "daemon B" "$log_b" $! answers "$SOCK_B"
  b_ok || tb_die "daemon B answers on $SOCK_B but is not the dockerd in netns $TB_NS; see $log_b"
fi

# A single-node swarm manager: `active` with the control plane available.
swarm=$(dk "$SOCK_B" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}')
if [ "$swarm" != "active true" ]; then
  tb_say "daemon B swarm state is '$swarm'; (re)initialising a single-node swarm"
  [ "${swarm%% *}" = inactive ] || dk "$SOCK_B" swarm leave --force >/dev/null 2>&1 || true
  dk "$SOCK_B" swarm init --advertise-addr 127.0.0.1 >/dev/null
  swarm=$(dk "$SOCK_B" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}')
  [ "$swarm" = "active true" ] || tb_die "daemon B is not a swarm manager after swarm init ('$swarm'); see $log_b"
fi

# ---------------------------------------------------------------- image
# No registry can be reached, so the image is a busybox-static root filesystem: bin/busybox and
# one symlink per applet (sh, sleep, true, ...).
busybox=""
for candidate in /bin/busybox "$(command -v busybox || true)"; do
  # Only a static busybox works inside an image without a libc.
  if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then busybox=$candidate; break; fi
done
rootfs=""
rootfs_tar=""
# The temporary root filesystem goes even when an import fails.
trap 'rm -rf "${rootfs:-}" "${rootfs_tar:-}"' EXIT
for sock in "$SOCK_A" "$SOCK_B"; do
  dk "$sock" image inspect "$IMAGE" >/dev/null 2>&1 && continue
  [ -n "$busybox" ] || tb_die "no static busybox found; run tests/testbed/install.sh (busybox-static)"
  if [ -z "$rootfs_tar" ]; then
    rootfs=$(mktemp -d)
    rootfs_tar="$rootfs.tar"
    mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/root" "$rootfs/tmp"
    chmod 1777 "$rootfs/tmp"
    cp "$busybox" "$rootfs/bin/busybox"
    for applet in $("$busybox" --list); do
      [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
    echo 'root:x:0:' >"$rootfs/etc/group"
    tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$rootfs_tar" .
    rm -rf "$rootfs"
  fi
  tb_say "importing $IMAGE into the daemon on $sock"
  dk "$sock" import \
    --change 'CMD ["/bin/sleep", "2147483647"]' \
    --change "LABEL destui.testbed=$TB_ID" \
    "$rootfs_tar" "$IMAGE" >/dev/null
done
[ -z "$rootfs_tar" ] || rm -f "$rootfs_tar"
# The image must really run on both (a dynamic busybox, say, would import fine and fail here).
dk "$SOCK_A" run --rm --network none "$IMAGE" true &
run_a=$!
dk "$SOCK_B" run --rm --network none "$IMAGE" true &
run_b=$!
wait "$run_a" || tb_die "docker run --rm $IMAGE true failed on daemon A"
wait "$run_b" || tb_die "docker run --rm $IMAGE true failed on daemon B; see $log_b"

# ---------------------------------------------------------------- proxy
# A stand-in for a reverse proxy: sleeps forever on its own user-defined bridge network. It is
# recreated when missing, stopped, or attached to an older network of that name.
# --stop-signal KILL: sleep as PID 1 ignores SIGTERM, so every stop (and every daemon shutdown)
# would otherwise wait the full 10 s timeout.
ensure_proxy() {
  local sock=$1 net_id seen
  net_id=$(dk "$sock" network inspect --format '{{.Id}}' "$PROXY_NET" 2>/dev/null) ||
    net_id=$(dk "$sock" network create --driver bridge --label "destui.testbed=$TB_ID" "$PROXY_NET")
  seen=$(dk "$sock" container inspect --format \
    "{{.State.Running}} {{with index .NetworkSettings.Networks \"$PROXY_NET\"}}{{.NetworkID}}{{end}}" \
    "$PROXY" 2>/dev/null) || seen=missing
  [ "$seen" = "true $net_id" ] && return 0
  tb_say "(re)creating $PROXY on $sock (was: $seen)"
  dk "$sock" rm -f "$PROXY" >/dev/null 2>&1 || true
  dk "$sock" run -d --name "$PROXY" --network "$PROXY_NET" --restart unless-stopped \
    --stop-signal KILL --label "destui.testbed=$TB_ID" "$IMAGE" sleep 2147483647 >/dev/null
}
ensure_proxy "$SOCK_A"
ensure_proxy "$SOCK_B"

# ---------------------------------------------------------------- keys
# new_key NAME: an ed25519 key pair without passphrase; a half-written pair is made anew.
new_key() {
  local key="$TB_STATE/$1"
  [ -s "$key" ] && [ -s "$key.pub" ] && return 0
  rm -f "$key" "$key.pub"
  ssh-keygen -q -t ed25519 -N '' -C "$TB_ID-$1" -f "$key"
}
new_key host_key
new_key client_key
new_key docker_b_key

# write_file PATH: stdin to PATH through a temporary file and a rename, so that a reader (sshd
# reading authorized_keys, a test reading ssh_config) never sees half a file.
write_file() {
  cat >"$1.tmp.$$"
  mv -f "$1.tmp.$$" "$1"
}

# `docker -H ssh://` runs `docker system dial-stdio` on the remote: docker_b_key's line sets
# DOCKER_HOST so that this lands on daemon B (sshd allows exactly that variable).
{
  cat "$TB_STATE/client_key.pub"
  echo "environment=\"DOCKER_HOST=unix://$SOCK_B\" $(cat "$TB_STATE/docker_b_key.pub")"
} | write_file "$TB_STATE/authorized_keys"
chmod 644 "$TB_STATE/authorized_keys"

# ---------------------------------------------------------------- a user without Docker
# Logs in with client_key (AuthorizedKeysFile is one shared file, StrictModes is off), has a
# shell, and is kept out of the docker group. '*' as password: no password login, yet not a
# locked account ('!'), which sshd without PAM would refuse even for a key.
if gecos=$(getent passwd "$NODOCKER_USER" | cut -d: -f5); then
  [ "$gecos" = "$NODOCKER_GECOS" ] ||
    tb_die "a user $NODOCKER_USER exists that the testbed did not create (comment '$gecos')"
  usermod --shell /bin/sh --password '*' --groups '' "$NODOCKER_USER"
else
  tb_say "creating user $NODOCKER_USER (no access to the Docker socket)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh --password '*' \
    --comment "$NODOCKER_GECOS" "$NODOCKER_USER"
fi

# ---------------------------------------------------------------- sshd
user=$(id -un)

# sshd_config_for PORT: the whole sshd_config; comparing it with the file on disk tells whether a
# running sshd was started with what this script would write now.
penalties=""
sshd_config_for() {
  cat <<CFG
# destui testbed sshd ($TB_ID), written by tests/testbed/up.sh
ListenAddress 127.0.0.1:$1
HostKey $TB_STATE/host_key
PidFile $SSHD_PIDFILE
AuthorizedKeysFile $TB_STATE/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
MaxSessions 100
MaxStartups 256:30:512
PermitUserEnvironment DOCKER_HOST
LogLevel VERBOSE
PrintMotd no
PrintLastLog no
X11Forwarding no
UseDNS no
$penalties
CFG
}
# Privilege separation directory (sshd, and even `sshd -t`, refuse to run without it); /run is
# a fresh tmpfs on a new machine.
mkdir -p /run/sshd
chmod 755 /run/sshd
# OpenSSH >= 9.8 penalises addresses that fail auth (tests provoke many failures on purpose,
# all from 127.0.0.1) by refusing them for a while; turn it off where the option exists.
probe="$TB_STATE/sshd_config.probe"
printf 'PerSourcePenalties no\nHostKey %s\n' "$TB_STATE/host_key" >"$probe"
if /usr/sbin/sshd -t -f "$probe" 2>/dev/null; then penalties="PerSourcePenalties no"; fi
rm -f "$probe"

write_client_files() {
  local port=$1 host key
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$TB_STATE/host_key.pub")" | write_file "$TB_STATE/known_hosts"
  {
    echo "# destui testbed ($TB_ID): ssh -F $SSH_CONFIG $HOST_A, written by tests/testbed/up.sh"
    for host in "$HOST_A" "$HOST_B" "$HOST_B_DOCKER"; do
      key=client_key
      [ "$host" = "$HOST_B_DOCKER" ] && key=docker_b_key
      cat <<CFG

Host $host
  HostName 127.0.0.1
  Port $port
  User $user
  IdentityFile $TB_STATE/$key
  IdentitiesOnly yes
  UserKnownHostsFile $TB_STATE/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes

Host $host-far
  HostName 127.0.0.1
  Port $relay_port
  HostKeyAlias [127.0.0.1]:$port
  User $user
  IdentityFile $TB_STATE/$key
  IdentitiesOnly yes
  UserKnownHostsFile $TB_STATE/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
CFG
    done
  } | write_file "$SSH_CONFIG"
}

ssh_ok() {
  timeout 20 ssh -F "$SSH_CONFIG" -o ConnectTimeout=5 "$HOST_A" true </dev/null
}

# free_port: a port nothing on this machine is bound to, below the ephemeral range (so that no
# outgoing connection takes it between the pick and sshd's bind).
free_port() {
  local low port hex i
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  [ "$low" -gt 11000 ] || low=61000
  for i in $(seq 200); do
    port=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
    hex=$(printf ':%04X' "$port")
    # Column 2 of /proc/net/tcp* is ADDR:PORT in hex; any socket on that port rules it out.
    if ! awk -v p="$hex" 'substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
      /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  tb_die "no free port found after $i tries"
}

# The relay's port is chosen first: the ssh config written with sshd's names it too.
relay_port=$(cat "$TB_STATE/relay_port" 2>/dev/null || true)
[ -n "$relay_port" ] || relay_port=$(free_port)
echo "$relay_port" | write_file "$TB_STATE/relay_port"

port=$(cat "$TB_STATE/port" 2>/dev/null || true)
sshd_pid=$(pid_running_with "$SSHD_PIDFILE" "$SSHD_CONFIG" || true)
reuse=no
why="does not know its port"
if [ -n "$sshd_pid" ] && [ -n "$port" ]; then
  if [ "$(sshd_config_for "$port")" != "$(cat "$SSHD_CONFIG")" ]; then
    why="runs an sshd_config other than the one this script writes"
  else
    write_client_files "$port"
    if ssh_ok >/dev/null 2>&1; then reuse=yes; else why="does not accept client_key"; fi
  fi
fi
if [ "$reuse" = no ]; then
  if [ -n "$sshd_pid" ]; then
    tb_say "testbed sshd (pid $sshd_pid) $why; restarting it"
    stop_pid "$sshd_pid" sshd 10
  fi
  [ -n "$port" ] || port=$(free_port)
  for _ in 1 2 3 4 5; do
    sshd_config_for "$port" | write_file "$SSHD_CONFIG"
    /usr/sbin/sshd -t -f "$SSHD_CONFIG" || tb_die "sshd rejects $SSHD_CONFIG (see above)"
    write_client_files "$port"
    rm -f "$SSHD_PIDFILE"
    echo "--- $(date -u +%FT%TZ) up.sh starts sshd on 127.0.0.1:$port" >>"$SSHD_LOG"
    tb_say "starting sshd on 127.0.0.1:$port, log in $SSHD_LOG"
    # Absolute path: sshd re-executes itself. -D keeps it in the foreground of its own session
    # (setsid), so that $! is sshd itself and a failed bind shows up as its exit.
    # (Its early errors on stderr and its -E log go to the same file, both appending.)
    # shellcheck disable=SC2094
    setsid nohup /usr/sbin/sshd -D -f "$SSHD_CONFIG" -E "$SSHD_LOG" </dev/null >>"$SSHD_LOG" 2>&1 9>&- &
    pid=$!
    end=$((SECONDS + 30))
    until ssh_ok >/dev/null 2>&1; do
      if ! alive "$pid"; then break; fi
      if [ "$SECONDS" -ge "$end" ]; then
        tail -n 25 "$SSHD_LOG" >&2 || true
        tb_die "sshd on 127.0.0.1:$port did not accept client_key within 30s; see $SSHD_LOG"
      fi
      sleep 0.1
    done
    alive "$pid" && break
    # Lost the race for the port (someone bound it between the pick and sshd's bind): retry.
    if tail -n 5 "$SSHD_LOG" | grep -q 'Cannot bind\|Address already in use'; then
      tb_say "port $port was taken; picking another"
      port=$(free_port)
      continue
    fi
    tail -n 25 "$SSHD_LOG" >&2 || true
    tb_die "sshd exited while starting; see $SSHD_LOG"
  done
  alive "$pid" || tb_die "sshd could not bind a port after 5 attempts; see $SSHD_LOG"
  echo "$port" | write_file "$TB_STATE/port"
fi

# ---------------------------------------------------------------- the relay (far servers)
relay_args="--listen $relay_port --to 127.0.0.1:$port --delay-ms $RELAY_DELAY_MS"
far_ok() {
  timeout 30 ssh -F "$SSH_CONFIG" -o ConnectTimeout=10 "$HOST_A_FAR" true </dev/null
}
if ! pid_running_with "$RELAY_PIDFILE" "relay.py $relay_args" >/dev/null || ! far_ok >/dev/null 2>&1; then
  if old=$(pid_running_with "$RELAY_PIDFILE" "relay.py"); then
    tb_say "the relay (pid $old) runs with other settings; restarting it"
    stop_pid "$old" relay 10
  fi
  command -v python3 >/dev/null || tb_die "python3 is missing; run tests/testbed/install.sh"
  tb_say "starting the relay on 127.0.0.1:$relay_port (${RELAY_DELAY_MS} ms each way), log in $RELAY_LOG"
  # shellcheck disable=SC2086
  setsid nohup python3 "$here/relay.py" $relay_args </dev/null >>"$RELAY_LOG" 2>&1 9>&- &
  relay_pid=$!
  echo "$relay_pid" | write_file "$RELAY_PIDFILE"
  wait_for 60 "the relay" "$RELAY_LOG" "$relay_pid" far_ok
fi

# ---------------------------------------------------------------- the user's ssh config
# `docker -H ssh://destui-b-docker` runs the system ssh without -F: let the user's config
# include ours. First line, because an Include after a `Host` block would only apply to that
# host. Aliases that do not match anything else cost nothing; down.sh removes the line.
mkdir -p "$HOME/.ssh"
chmod 700 "$HOME/.ssh"
if ! grep -qxF "$INCLUDE_LINE" "$USER_SSH_CONFIG" 2>/dev/null; then
  tb_say "adding '$INCLUDE_LINE' to $USER_SSH_CONFIG"
  {
    echo "$INCLUDE_LINE"
    cat "$USER_SSH_CONFIG" 2>/dev/null || true
  } >"$USER_SSH_CONFIG.tmp.$$"
  chmod 600 "$USER_SSH_CONFIG.tmp.$$"
  mv -f "$USER_SSH_CONFIG.tmp.$$" "$USER_SSH_CONFIG"
fi

# ---------------------------------------------------------------- final checks
# (`ssh -F $SSH_CONFIG destui-a true` has just succeeded above, on either path.)
b_state=$(timeout 60 docker -H "ssh://$HOST_B_DOCKER" info --format '{{.Swarm.LocalNodeState}}' </dev/null) ||
  tb_die "docker -H ssh://$HOST_B_DOCKER info failed; see $SSHD_LOG"
[ "$b_state" = active ] ||
  tb_die "docker -H ssh://$HOST_B_DOCKER reached a daemon whose swarm state is '$b_state', not daemon B"

{
  echo "DESTUI_TB_DIR=$TB_STATE"
  echo "DESTUI_TB_SSH_CONFIG=$SSH_CONFIG"
  echo "DESTUI_TB_SSH_PORT=$port"
  echo "DESTUI_TB_USER=$user"
  echo "DESTUI_TB_CLIENT_KEY=$TB_STATE/client_key"
  echo "DESTUI_TB_KNOWN_HOSTS=$TB_STATE/known_hosts"
  echo "DESTUI_TB_HOST_A=$HOST_A"
  echo "DESTUI_TB_HOST_B=$HOST_B"
  echo "DESTUI_TB_DOCKER_SSH_HOST=$HOST_B_DOCKER"
  echo "DESTUI_TB_HOST_A_FAR=$HOST_A_FAR"
  echo "DESTUI_TB_HOST_B_FAR=$HOST_B_FAR"
  echo "DESTUI_TB_DOCKER_SSH_HOST_FAR=$HOST_B_DOCKER_FAR"
  echo "DESTUI_TB_RELAY_PORT=$relay_port"
  echo "DESTUI_TB_RELAY_DELAY_MS=$RELAY_DELAY_MS"
  echo "DESTUI_TB_SOCKET_A=$SOCK_A"
  echo "DESTUI_TB_SOCKET_B=$SOCK_B"
  echo "DESTUI_TB_NETNS_B=$TB_NS"
  echo "DESTUI_TB_PROXY=$PROXY"
  echo "DESTUI_TB_PROXY_NET=$PROXY_NET"
  echo "DESTUI_TB_IMAGE=$IMAGE"
  echo "DESTUI_TB_NODOCKER_USER=$NODOCKER_USER"
  echo "DESTUI_TB_ID=$TB_ID"
  echo "DESTUI_TB_PIDFILE_B=$B_PIDFILE"
} | write_file "$TB_STATE/testbed.env"

tb_say "up in $((SECONDS - started))s (sshd on 127.0.0.1:$port)"
echo "$TB_STATE/testbed.env"
