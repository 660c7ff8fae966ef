#!/usr/bin/env bash
# Takes down what up.sh started: daemons C and B (each one's dockerd, containerd, namespace,
# data; the veth pair between them goes with the namespaces), the testbed sshd, the user
# without Docker, the state dir and the Include line in ~/.ssh/config. Daemon A (the machine's
# own dockerd) keeps running; only the testbed's proxy container, network and image leave it.
# Safe to run twice, or after a half-failed up.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || tb_die "run as root"
mkdir -p "$(dirname "$TB_LOCK")"
tb_lock

# ---------------------------------------------------------------- daemon A: only our objects
if answers "$SOCK_A"; then
  dk "$SOCK_A" rm -f "$PROXY" >/dev/null 2>&1 || true
  dk "$SOCK_A" network rm "$PROXY_NET" >/dev/null 2>&1 || true
  # Not forced: a container of someone else's that still uses the image keeps it.
  dk "$SOCK_A" image rm "$IMAGE" >/dev/null 2>&1 || tb_say "left $IMAGE on daemon A (still in use?)"
else
  tb_say "daemon A does not answer; its proxy, network and image (if any) are left alone"
fi

# ---------------------------------------------------------------- daemons C and B
# take_down WHAT SOCK PIDFILE EXEC DATA RUNDIR NS CGROUP: stops one namespaced dockerd (and
# what outlives it), unmounts what it left, deletes its namespace (a veth end in it goes, and
# its peer with it), then DATA and RUNDIR.
take_down() {
  local what=$1 sock=$2 pidfile=$3 exec=$4 data=$5 rundir=$6 netns=$7 cgroup=$8
  local pid cmdline args mnt dir
  if pid=$(pid_running_with "$pidfile" "$sock"); then
    # The proxy is removed first so that the shutdown does not wait on it.
    answers "$sock" && { dk "$sock" rm -f "$PROXY" >/dev/null 2>&1 || true; }
    tb_say "stopping $what (pid $pid)"
    stop_pid "$pid" "$what" 30
  fi
  # After a SIGKILL (or a crash) its containerd and shims outlive it: end exactly those, found
  # by their own exec root in their command lines.
  if pid=$(pid_running_with "$exec/containerd/containerd.pid" "$exec/"); then
    stop_pid "$pid" "$what's containerd" 10
  fi
  for cmdline in /proc/[0-9]*/cmdline; do
    pid=${cmdline#/proc/}
    pid=${pid%/cmdline}
    args=$(tr '\0' ' ' 2>/dev/null <"$cmdline") || continue
    case $args in
      *containerd-shim*" -address $exec/containerd/containerd.sock"*)
        stop_pid "$pid" "a containerd shim of $what" 5 ;;
    esac
  done

  # dockerd leaves mounts behind (its data root bind-mounted onto itself, the swarm's network
  # namespaces under its exec root): unmount them, deepest first, before anything is deleted,
  # so that rm never walks into a mounted filesystem.
  for mnt in $(mounts_under "$data" "$rundir" "$netns"); do
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  done
  ip netns del "$netns" 2>/dev/null || rm -f "/run/netns/$netns"
  if [ -n "$(mounts_under "$data" "$rundir" "$netns")" ]; then
    tb_say "still mounted, so $data and $rundir are kept:"
    mounts_under "$data" "$rundir" "$netns" >&2
  else
    rm -rf --one-file-system "$data" "$rundir"
  fi
  # Its (now empty) cgroups, one per cgroup v1 hierarchy.
  for dir in /sys/fs/cgroup/*"$cgroup" /sys/fs/cgroup"$cgroup"; do
    if [ -d "$dir" ]; then rmdir "$dir" 2>/dev/null || true; fi
  done
}

# mounts_under DATA RUNDIR NS: mount points at or below DATA or RUNDIR, and NS's entry.
mounts_under() {
  awk -v a="$1" -v b="$2" -v n="/run/netns/$3" \
    '$5 == a || index($5, a "/") == 1 || $5 == b || index($5, b "/") == 1 || $5 == n { print $5 }' \
    /proc/self/mountinfo | sort -r
}

# C first: a worker of B's swarm. B's rundir is TB_RUN, which holds C's exec root as well.
take_down "daemon C" "$SOCK_C" "$C_PIDFILE" "$C_EXEC" "$C_DATA" "$C_EXEC" "$TB_NS_C" "$C_CGROUP"
take_down "daemon B" "$SOCK_B" "$B_PIDFILE" "$B_EXEC" "$B_DATA" "$TB_RUN" "$TB_NS" "$B_CGROUP"

# ---------------------------------------------------------------- the relay
if pid_r=$(pid_running_with "$RELAY_PIDFILE" "relay.py"); then
  tb_say "stopping the relay (pid $pid_r)"
  stop_pid "$pid_r" relay 10
fi

# ---------------------------------------------------------------- sshd
if pid_s=$(pid_running_with "$SSHD_PIDFILE" "$SSHD_CONFIG"); then
  tb_say "stopping sshd (pid $pid_s)"
  stop_pid "$pid_s" sshd 10
fi

# ---------------------------------------------------------------- the user without Docker
if [ "$(getent passwd "$NODOCKER_USER" | cut -d: -f5)" = "$NODOCKER_GECOS" ]; then
  tb_say "removing user $NODOCKER_USER"
  userdel "$NODOCKER_USER" || tb_say "could not remove user $NODOCKER_USER (still logged in?)"
fi

# ---------------------------------------------------------------- the user's ssh config
if grep -qxF "$INCLUDE_LINE" "$USER_SSH_CONFIG" 2>/dev/null; then
  grep -vxF "$INCLUDE_LINE" "$USER_SSH_CONFIG" >"$USER_SSH_CONFIG.tmp.$$" || true
  chmod 600 "$USER_SSH_CONFIG.tmp.$$"
  mv -f "$USER_SSH_CONFIG.tmp.$$" "$USER_SSH_CONFIG"
fi

rm -rf --one-file-system "$TB_STATE"
tb_say "down (daemon A left running)"
