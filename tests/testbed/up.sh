#!/usr/bin/env bash
# Starts the testbed of DESIGN.md §6 and writes <state>/testbed.env; its path is the last (and
# only) line on stdout, progress goes to stderr.
#   daemon A  the machine's dockerd on /var/run/docker.sock (standalone)
#   daemon B  a second dockerd in its own network namespace, a swarm manager advertising on
#             a veth link to C's namespace
#   daemon C  a third dockerd in a namespace of its own, a worker joined to B's swarm
#   image     destui-busybox:latest on A, B and C, imported from busybox-static (nothing can be pulled)
#   proxy     a container running `sleep` on a user-defined bridge network, on A and B
#   sshd      on 127.0.0.1, a free port, generated keys, key-only, plus an ssh config naming
#             destui-a, destui-b, destui-c (client_key) and destui-b-docker (docker_b_key,
#             aimed at B)
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

# ---------------------------------------------------------------- daemons B and C
# B and C each live in a network namespace of their own: in A's namespace their iptables rules
# and bridges would break A's (and their swarm ports would clash). nsenter enters only the
# network namespace; `ip netns exec` would also put dockerd in a mount namespace of its own (it
# remounts /sys), hiding its mounts from the machine (down.sh must unmount them), and it has
# been seen to fail on this kind of machine.
log_b="$TB_STATE/dockerd-b.log"
log_c="$TB_STATE/dockerd-c.log"

# ns_daemon_ok SOCK PIDFILE NS: the daemon answers on SOCK and its dockerd is really inside
# namespace NS.
ns_daemon_ok() {
  local sock=$1 pidfile=$2 netns=$3 pid ns
  answers "$sock" || return 1
  pid=$(pid_running_with "$pidfile" "$sock") || return 1
  ns=$(netns_inode "$netns") || return 1
  [ "$(readlink "/proc/$pid/ns/net")" = "net:[$ns]" ]
}

# ensure_netns NS: the named network namespace exists (made anew when its entry is stale),
# with its loopback up.
ensure_netns() {
  if ! nsenter --net="/run/netns/$1" true 2>/dev/null; then
    # A stale entry (e.g. the bind mount is gone) would make `ip netns add` fail.
    ip netns del "$1" 2>/dev/null || rm -f "/run/netns/$1"
    ip netns add "$1"
  fi
  ip -n "$1" link set lo up
}

# ensure_ns_daemon WHAT NS SOCK PIDFILE DATA EXEC CONFIG CGROUP LOG: a dockerd on SOCK inside
# namespace NS, started (after whatever is left of an earlier one) unless it already runs there.
ensure_ns_daemon() {
  local what=$1 netns=$2 sock=$3 pidfile=$4 data=$5 exec=$6 config=$7 cgroup=$8 log=$9 old
  ns_daemon_ok "$sock" "$pidfile" "$netns" && return 0
  # Whatever is left of an earlier one (hung, or in a namespace that was deleted) goes first.
  if old=$(pid_running_with "$pidfile" "$sock"); then
    tb_say "$what (pid $old) is not usable; stopping it"
    stop_pid "$old" "$what" 30
  fi
  # A containerd that outlived its dockerd (kill -9) is reused by the next dockerd, which then
  # waits on it and gives up ("timeout waiting for containerd to start"): it goes too.
  if old=$(pid_running_with "$exec/containerd/containerd.pid" "$exec/"); then
    tb_say "the containerd of $what (pid $old) outlived it; stopping it"
    stop_pid "$old" "the containerd of $what" 10
  fi
  # dockerd refuses to start while its pidfile names a process that still exists, and a killed
  # dockerd can linger as a zombie for a while: nothing of ours runs now, so the file goes. The
  # same holds for its containerd's pidfile (a zombie containerd is "still running" to dockerd).
  rm -f "$pidfile" "$exec/containerd/containerd.pid"
  ensure_netns "$netns"
  mkdir -p "$data" "$exec"
  # Its own (empty) daemon.json: A's /etc/docker/daemon.json may set "hosts" (which conflicts
  # with -H) or pools and mirrors meant for A.
  echo '{}' >"$config"
  rm -f "$sock"
  tb_say "starting $what (dockerd on $sock in netns $netns), log in $log"
  setsid nohup nsenter --net="/run/netns/$netns" dockerd \
    --config-file "$config" -H "unix://$sock" \
    --data-root "$data" --exec-root "$exec" --pidfile "$pidfile" \
    --cgroup-parent "$cgroup" \
    </dev/null >>"$log" 2>&1 9>&- &
  wait_for 90 "$what" "$log" $! answers "$sock"
  ns_daemon_ok "$sock" "$pidfile" "$netns" ||
    tb_die "$what answers on $sock but is not the dockerd in netns $netns; see $log"
}

ensure_ns_daemon "daemon B" "$TB_NS" "$SOCK_B" "$B_PIDFILE" "$B_DATA" "$B_EXEC" "$B_CONFIG" \
  "$B_CGROUP" "$log_b"
ensure_netns "$TB_NS_C"

# The link between B's and C's namespaces: a veth pair, one address at each end. Made anew
# when either end is missing, down, or without its address (a namespace made anew takes its
# end with it).
link_ok() {
  ip -n "$TB_NS" -br addr show dev "$LINK_B" 2>/dev/null | grep -q " UP .*$LINK_IP_B/$LINK_PREFIX" &&
    ip -n "$TB_NS_C" -br addr show dev "$LINK_C" 2>/dev/null | grep -q " UP .*$LINK_IP_C/$LINK_PREFIX"
}
if ! link_ok; then
  tb_say "linking netns $TB_NS ($LINK_IP_B) and $TB_NS_C ($LINK_IP_C) with a veth pair"
  ip -n "$TB_NS" link del "$LINK_B" 2>/dev/null || true
  ip -n "$TB_NS_C" link del "$LINK_C" 2>/dev/null || true
  # Made inside B's namespace, the peer moved into C's: nothing ever appears in A's.
  ip -n "$TB_NS" link add "$LINK_B" type veth peer name "$LINK_C" netns "$TB_NS_C"
  ip -n "$TB_NS" addr add "$LINK_IP_B/$LINK_PREFIX" dev "$LINK_B"
  ip -n "$TB_NS_C" addr add "$LINK_IP_C/$LINK_PREFIX" dev "$LINK_C"
  ip -n "$TB_NS" link set "$LINK_B" up
  ip -n "$TB_NS_C" link set "$LINK_C" up
  link_ok || tb_die "the veth pair $LINK_B/$LINK_C between $TB_NS and $TB_NS_C did not come up"
fi

# B: a swarm manager (`active` with the control plane available) advertising on the link, so
# that C can join. One advertising elsewhere (127.0.0.1, by an older up.sh) is made anew: that
# drops B's overlay networks, acceptable at up time.
swarm=$(dk "$SOCK_B" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}')
if [ "$swarm" != "active true $LINK_IP_B" ]; then
  tb_say "daemon B swarm is '$swarm'; (re)initialising a swarm that advertises $LINK_IP_B"
  [ "${swarm%% *}" = inactive ] || dk "$SOCK_B" swarm leave --force >/dev/null 2>&1 || true
  dk "$SOCK_B" swarm init --advertise-addr "$LINK_IP_B" >/dev/null
  swarm=$(dk "$SOCK_B" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}')
  [ "$swarm" = "active true $LINK_IP_B" ] ||
    tb_die "daemon B is not a swarm manager on $LINK_IP_B after swarm init ('$swarm'); see $log_b"
fi

ensure_ns_daemon "daemon C" "$TB_NS_C" "$SOCK_C" "$C_PIDFILE" "$C_DATA" "$C_EXEC" "$C_CONFIG" \
  "$C_CGROUP" "$log_c"

# C: a worker of B's swarm. Joined and `ready` in B's node list → nothing to do. Known to B but
# not ready (B was just restarted, say) → waited for a while before C joins anew.
c_node=$(dk "$SOCK_C" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}')
c_state() {
  dk "$SOCK_B" node inspect --format '{{.Status.State}}' "${c_node##* }" 2>/dev/null
}
c_ready() { [ "$(c_state)" = ready ]; }
joined=no
case $c_node in
  "active false "?*)
    if c_ready; then
      joined=yes
    elif [ -n "$(c_state)" ]; then
      tb_say "daemon C is in B's swarm but not ready ($(c_state)); waiting up to 30s"
      end=$((SECONDS + 30))
      until c_ready || [ "$SECONDS" -ge "$end" ]; do sleep 0.5; done
      c_ready && joined=yes
    fi
    ;;
esac
if [ "$joined" = no ]; then
  tb_say "daemon C swarm is '$c_node'; joining B's swarm as a worker"
  [ "${c_node%% *}" = inactive ] || dk "$SOCK_C" swarm leave --force >/dev/null 2>&1 || true
  token=$(dk "$SOCK_B" swarm join-token -q worker)
  dk "$SOCK_C" swarm join --token "$token" --advertise-addr "$LINK_IP_C" "$LINK_IP_B:2377" >/dev/null ||
    tb_die "daemon C could not join B's swarm at $LINK_IP_B:2377; see $log_c and $log_b"
  c_node=$(dk "$SOCK_C" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}')
  wait_for 60 "daemon C's node in B's swarm" "$log_c" "" c_ready
fi
# B knows exactly its own node and C's: nodes left by earlier joins of C (down) go, so that
# tests see a swarm of two nodes.
b_node=$(dk "$SOCK_B" info --format '{{.Swarm.NodeID}}')
for node in $(dk "$SOCK_B" node ls --format '{{.ID}}'); do
  [ "$node" = "$b_node" ] || [ "$node" = "${c_node##* }" ] || {
    tb_say "removing stale node $node from B's swarm"
    dk "$SOCK_B" node rm --force "$node" >/dev/null
  }
done

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
for sock in "$SOCK_A" "$SOCK_B" "$SOCK_C"; do
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
# The image must really run on each (a dynamic busybox, say, would import fine and fail here).
dk "$SOCK_A" run --rm --network none "$IMAGE" true &
run_a=$!
dk "$SOCK_B" run --rm --network none "$IMAGE" true &
run_b=$!
dk "$SOCK_C" run --rm --network none "$IMAGE" true &
run_c=$!
wait "$run_a" || tb_die "docker run --rm $IMAGE true failed on daemon A"
wait "$run_b" || tb_die "docker run --rm $IMAGE true failed on daemon B; see $log_b"
wait "$run_c" || tb_die "docker run --rm $IMAGE true failed on daemon C; see $log_c"

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
# None on C: a server there is a swarm worker, where destui refuses to create destinations,
# and the tests only attach plain containers there (to overlays made on B).

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
    for host in "$HOST_A" "$HOST_B" "$HOST_B_DOCKER" "$HOST_C"; do
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
  echo "DESTUI_TB_HOST_C=$HOST_C"
  echo "DESTUI_TB_SOCKET_C=$SOCK_C"
  echo "DESTUI_TB_NETNS_C=$TB_NS_C"
  echo "DESTUI_TB_PIDFILE_C=$C_PIDFILE"
  echo "DESTUI_TB_LINK_IP_B=$LINK_IP_B"
  echo "DESTUI_TB_LINK_IP_C=$LINK_IP_C"
  echo "DESTUI_TB_PROXY=$PROXY"
  echo "DESTUI_TB_PROXY_NET=$PROXY_NET"
  echo "DESTUI_TB_IMAGE=$IMAGE"
  echo "DESTUI_TB_NODOCKER_USER=$NODOCKER_USER"
  echo "DESTUI_TB_ID=$TB_ID"
  echo "DESTUI_TB_PIDFILE_B=$B_PIDFILE"
} | write_file "$TB_STATE/testbed.env"

tb_say "up in $((SECONDS - started))s (sshd on 127.0.0.1:$port)"
echo "$TB_STATE/testbed.env"
