# shellcheck shell=bash disable=SC2034
# (SC2034: the names below are used by the scripts that source this file.)
# Sourced by up.sh and down.sh: the names both must agree on, and small helpers.
# Every name derives from one short id so that two testbeds (two projects, or two ids of
# this one) on the same machine cannot collide on a namespace, a socket, a file or a container.

TB_ID=${DESTUI_TESTBED_ID:-destui-tb}
TB_STATE=${DESTUI_TESTBED_DIR:-/tmp/destui-testbed}

tb_say() { echo "testbed: $*" >&2; }
tb_die() { echo "testbed: error: $*" >&2; exit 1; }

# The id ends up in a netns name, paths, a cgroup and container names: keep it plain and short
# (the unix socket of daemon B must stay far below the ~104-byte sun_path limit).
case $TB_ID in
  '' | *[!A-Za-z0-9_.-]* | -* | .*) tb_die "DESTUI_TESTBED_ID='$TB_ID': use letters, digits, '.', '_', '-'" ;;
esac
[ ${#TB_ID} -le 32 ] || tb_die "DESTUI_TESTBED_ID is longer than 32 characters"
case $TB_STATE in
  /*) ;;
  *) tb_die "DESTUI_TESTBED_DIR must be an absolute path (it is written into ssh and sshd configs)" ;;
esac
TB_STATE=${TB_STATE%/}
[ -n "$TB_STATE" ] || tb_die "DESTUI_TESTBED_DIR must not be /"

TB_NS="$TB_ID-b"                  # network namespace of daemon B
TB_RUN="/run/$TB_ID"              # B's and C's sockets, pidfiles and exec roots: short, on tmpfs
TB_LOCK="/run/$TB_ID.lock"        # outside TB_STATE so that down.sh can remove the state dir
SOCK_A=/var/run/docker.sock
SOCK_B="$TB_RUN/b.sock"
B_DATA="/var/lib/$TB_ID-b"
B_EXEC="$TB_RUN/exec"
B_PIDFILE="$TB_RUN/dockerd.pid"
B_CONFIG="$TB_RUN/daemon.json"
# Both daemons use the cgroupfs driver (cgroup v1 here). A leading slash puts B's containers
# under the root cgroup in a tree of their own instead of next to A's "/docker/<id>" ones (and
# not under whatever cgroup the shell that started B happened to be in).
B_CGROUP="/$TB_ID-b"
# Daemon C: a swarm worker joined to B (DESIGN.md §13), in a namespace of its own, linked to
# B's by a veth pair; B's swarm advertises on that link. The link's names and addresses live
# only inside the two namespaces, so they need not derive from TB_ID.
TB_NS_C="$TB_ID-c"
SOCK_C="$TB_RUN/c.sock"
C_DATA="/var/lib/$TB_ID-c"
C_EXEC="$TB_RUN/exec-c"
C_PIDFILE="$TB_RUN/dockerd-c.pid"
C_CONFIG="$TB_RUN/daemon-c.json"
C_CGROUP="/$TB_ID-c"
LINK_B=to-c                       # B's end of the veth pair (in B's namespace)
LINK_C=to-b                       # C's end (in C's namespace)
LINK_IP_B=10.201.0.1              # not in Docker's local pools; B's overlays start at 10.0.0.0
LINK_IP_C=10.201.0.2
LINK_PREFIX=30
IMAGE=destui-busybox:latest
PROXY="$TB_ID-proxy"
PROXY_NET="$TB_ID-proxynet"
SSHD_CONFIG="$TB_STATE/sshd_config"
SSHD_PIDFILE="$TB_STATE/sshd.pid"
SSHD_LOG="$TB_STATE/sshd.log"
SSH_CONFIG="$TB_STATE/ssh_config"
# A system user that logs in with client_key but is not in the docker group (the "user not
# allowed on the Docker socket" case). Login names are lower case and at most 32 characters.
NODOCKER_USER=$(printf '%s-nodocker' "$TB_ID" | tr 'A-Z.' 'a-z_' | cut -c1-32)
# The comment marks the user as the testbed's: down.sh removes only a user that carries it.
NODOCKER_GECOS="destui testbed $TB_ID"
INCLUDE_LINE="Include $SSH_CONFIG"
USER_SSH_CONFIG="$HOME/.ssh/config"
# The ssh aliases are in testbed.env for the tests. ~/.ssh/config includes every running
# testbed's ssh_config (for `docker -H ssh://`), so another id gets aliases of its own.
if [ "$TB_ID" = destui-tb ]; then
  HOST_A=destui-a
  HOST_B=destui-b
  HOST_B_DOCKER=destui-b-docker
  HOST_C=destui-c
else
  HOST_A="$TB_ID-a"
  HOST_B="$TB_ID-b"
  HOST_B_DOCKER="$TB_ID-b-docker"
  HOST_C="$TB_ID-c"
fi
# The far servers: the same hosts through a relay that delays each direction by
# RELAY_DELAY_MS (DESTUI_TB_RELAY_DELAY_MS, default 50: a 100 ms round trip).
HOST_A_FAR="$HOST_A-far"
HOST_B_FAR="$HOST_B-far"
HOST_B_DOCKER_FAR="$HOST_B_DOCKER-far"
RELAY_DELAY_MS=${DESTUI_TB_RELAY_DELAY_MS:-50}
case $RELAY_DELAY_MS in '' | *[!0-9]*) tb_die "DESTUI_TB_RELAY_DELAY_MS='$RELAY_DELAY_MS': give milliseconds" ;; esac
RELAY_PIDFILE="$TB_STATE/relay.pid"
RELAY_LOG="$TB_STATE/relay.log"

[ ${#SOCK_B} -lt 100 ] || tb_die "socket path $SOCK_B is too long for a unix socket"
[ ${#SOCK_C} -lt 100 ] || tb_die "socket path $SOCK_C is too long for a unix socket"

# Take the testbed lock (fd 9) so that two up.sh/down.sh runs never interleave.
# Every daemon started while it is held must close fd 9 (`9>&-`), or it would hold the lock
# for its whole life and the next run would wait forever.
tb_lock() {
  exec 9>"$TB_LOCK"
  if ! flock -w 600 9; then
    tb_die "another up.sh/down.sh held $TB_LOCK for 10 minutes"
  fi
}

# dk SOCKET ARGS...: the docker CLI on one daemon, bounded in time: a daemon that accepts on its
# socket but never answers would otherwise hang the script forever.
dk() {
  local sock=$1
  shift
  timeout 120 docker -H "unix://$sock" "$@"
}

# answers SOCKET: the daemon behind SOCKET answers an API call within 10 s.
answers() {
  timeout 10 docker -H "unix://$1" info --format '{{.ID}}' >/dev/null 2>&1
}

# pid_running_with PIDFILE NEEDLE: prints the pid in PIDFILE when that process is alive and its
# command line contains NEEDLE (a recycled pid must never be mistaken for our daemon).
pid_running_with() {
  local pidfile=$1 needle=$2 pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  case $pid in '' | *[!0-9]*) return 1 ;; esac
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$needle" || return 1
  echo "$pid"
}

# alive PID: the process exists and is not a zombie. `kill -0` alone is not enough: a daemon
# started by this very script that died stays a zombie child until the script exits.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# stop_pid PID WHAT SECONDS: SIGTERM, wait up to SECONDS for the exit, then SIGKILL.
stop_pid() {
  local pid=$1 what=$2 seconds=$3 end
  kill -TERM "$pid" 2>/dev/null || return 0
  end=$((SECONDS + seconds))
  while alive "$pid"; do
    if [ "$SECONDS" -ge "$end" ]; then
      tb_say "$what (pid $pid) ignored SIGTERM for ${seconds}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      end=$((SECONDS + 10))
      while alive "$pid" && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
      return 0
    fi
    sleep 0.1
  done
}

# netns_inode NAME: the inode of a named network namespace (what /proc/PID/ns/net points at).
netns_inode() {
  stat -L -c %i "/run/netns/$1" 2>/dev/null
}
