#!/usr/bin/env bash
# Installs what the testbed needs, and only when something is missing: a fresh Debian machine
# of this project's kind has cargo but no Docker, sshd or busybox. Nothing is pulled from a
# container registry (none can be reached); everything comes from Debian's packages.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have dockerd || missing+=(dockerd)
have docker || missing+=(docker)
# sshd is started by absolute path (it re-executes itself), so look exactly there.
[ -x /usr/sbin/sshd ] || missing+=(sshd)
have ssh || missing+=(ssh)
have ssh-keygen || missing+=(ssh-keygen)
# The image is a copy of busybox: it must be the static build (no libc in the image).
if ! have busybox || ldd "$(command -v busybox)" >/dev/null 2>&1; then missing+=(busybox-static); fi
have iptables || missing+=(iptables)
have ip || missing+=(ip)
have nsenter || missing+=(nsenter)
have flock || missing+=(flock)
have tmux || missing+=(tmux)
# Tests make what the docker CLI refuses (twin names) through the Engine API with curl.
have curl || missing+=(curl)
# The far-server relay (tests/testbed/relay.py).
have python3 || missing+=(python3)
# `destui man` is read back with `man -l` (and the progress bar needs a pty: `script`).
have man || missing+=(man)
have script || missing+=(script)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "testbed: missing ${missing[*]}; run this as root to install them" >&2; exit 1; }
echo "testbed: missing ${missing[*]}; installing with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
# One list for every case: apt-get skips what is already installed.
apt-get install -y docker.io openssh-server openssh-client busybox-static iptables iproute2 util-linux bsdutils tmux curl python3 man-db groff-base
