#!/usr/bin/env bash
# Takes down what up.sh started: daemon B (its dockerd, containerd, namespace, data), the
# testbed sshd, the user without Docker, the state dir and the Include line in ~/.ssh/config. Daemon A (the machine's own
# dockerd) keeps running; only the testbed's proxy container, network and image leave it.
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

# ---------------------------------------------------------------- daemon B
if pid_b=$(pid_running_with "$B_PIDFILE" "$SOCK_B"); then
  # The proxy is removed first so that the shutdown does not wait on it.
  answers "$SOCK_B" && { dk "$SOCK_B" rm -f "$PROXY" >/dev/null 2>&1 || true; }
  tb_say "stopping daemon B (pid $pid_b)"
  stop_pid "$pid_b" "daemon B" 30
fi
# After a SIGKILL (or a crash) B's containerd and shims outlive it: end exactly those, found by
# their own exec root in their command lines.
if pid_c=$(pid_running_with "$B_EXEC/containerd/containerd.pid" "$B_EXEC/"); then
  stop_pid "$pid_c" "daemon B's containerd" 10
fi
for cmdline in /proc/[0-9]*/cmdline; do
  pid=${cmdline#/proc/}
  pid=${pid%/cmdline}
  args=$(tr '\0' ' ' 2>/dev/null <"$cmdline") || continue
  case $args in
    *containerd-shim*" -address $B_EXEC/containerd/containerd.sock"*)
      stop_pid "$pid" "a containerd shim of daemon B" 5 ;;
  esac
done

# dockerd leaves mounts behind (its data root bind-mounted onto itself, the swarm's network
# namespaces under exec/netns): unmount them, deepest first, before anything is deleted, so
# that rm never walks into a mounted filesystem.
mounts_under() {
  awk -v a="$B_DATA" -v b="$TB_RUN" -v n="/run/netns/$TB_NS" \
    '$5 == a || index($5, a "/") == 1 || $5 == b || index($5, b "/") == 1 || $5 == n { print $5 }' \
    /proc/self/mountinfo | sort -r
}
for mnt in $(mounts_under); do
  umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
done
ip netns del "$TB_NS" 2>/dev/null || rm -f "/run/netns/$TB_NS"
if [ -n "$(mounts_under)" ]; then
  tb_say "still mounted, so $B_DATA and $TB_RUN are kept:"
  mounts_under >&2
else
  rm -rf --one-file-system "$B_DATA" "$TB_RUN"
fi
# B's (now empty) cgroups, one per cgroup v1 hierarchy.
for dir in /sys/fs/cgroup/*"$B_CGROUP" /sys/fs/cgroup"$B_CGROUP"; do
  if [ -d "$dir" ]; then rmdir "$dir" 2>/dev/null || true; fi
done

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
