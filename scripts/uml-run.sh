#!/usr/bin/env bash
# scripts/uml-run.sh — run a command as root inside a throw-away User-Mode Linux
# (UML) guest kernel that has 802.1Q VLANs, VLAN-filtering bridges, veth, dummy.
#
# Why: the kernel of the machines we run on has no 8021q and no bridge VLAN
# filtering, and we must never touch the host's own network namespace anyway.
# Debian's `user-mode-linux` package ships a Linux 6.1 kernel that runs as an
# ordinary host process (/usr/bin/linux.uml) with those features as modules.
#
# Usage:
#   scripts/uml-run.sh [options] -- COMMAND [ARG...]    # argv, exec'd as is
#   scripts/uml-run.sh [options] -- 'shell string'       # one word: run by bash -c
#
# Options:
#   --timeout SECONDS  wall-clock limit for boot + command (default 600;
#                      env UML_TIMEOUT). On expiry the command is killed
#                      inside the guest (exit 124, output kept); if the guest
#                      does not stop by itself the whole UML process group is
#                      SIGKILLed a few seconds later.
#   --workdir DIR      host directory mounted read-write at the same path in
#                      the guest; the command's cwd (default: $PWD).
#   --mem SIZE         guest RAM, UML syntax e.g. 512M, 2G (default 1G; env
#                      UML_MEM). Only touched pages use host memory.
#   --env NAME         pass host variable NAME into the guest (repeatable;
#                      also env UML_PASS_ENV="A B C"). Always passed when set:
#                      CI, TERM, LANG, LC_ALL, TZ, all TF_* and CHECKPOINT_*.
#   --modules "M ..."  kernel modules to load (default "8021q bridge veth
#                      dummy"; env UML_MODULES). Others auto-load on demand.
#   --meta FILE        write machine-readable key=value results to FILE
#                      (may be /dev/fd/N): exit, boot_ms, cmd_ms, total_ms,
#                      timed_out.
#   --quiet            do not print the informational "uml: ..." lines.
#   --verbose          also print the guest console log (kernel + init) on
#                      stderr (env UML_RUN_VERBOSE=1).
#   -h, --help
#
# Guest environment:
#   * root filesystem = the host's / through hostfs, made writable by an
#     overlayfs whose upper layer is guest RAM: writes anywhere outside the
#     work dir are discarded at shutdown, the host is never written except
#     the work dir (and this script's private control dir, removed at exit);
#   * fresh tmpfs on /tmp, /var/tmp, /run (with /run/netns), /dev/shm;
#     guest proc, sysfs, devtmpfs, devpts (host device nodes are NOT used);
#   * /lib/modules/<uml-version> -> /usr/lib/uml/modules/<uml-version>, so
#     modprobe (kmod) works and the kernel can auto-load modules;
#   * only a loopback interface (up): no network device is connected to the
#     host — nothing can leave the guest;
#   * PATH = the caller's PATH, HOME=/root (host's /root, copy-on-write),
#     TF_IN_AUTOMATION=1, CHECKPOINT_DISABLE=1, stdin = /dev/null.
#
# Output: the command's stdout/stderr are captured in files in the guest and
# copied to this script's stdout/stderr after the guest stops (no streaming;
# kernel console chatter goes to a private log that is only shown, on
# stderr, when the guest fails to produce a result).
# Exit status: the command's; 124 on timeout; 125 harness/boot failure;
# 128+N if this script is killed by signal N.
#
# Leftovers: UML runs in its own session/process group; it is SIGKILLed as a
# group on every exit path (normal, timeout, SIGINT/SIGTERM/SIGHUP), and a
# small watchdog (own process group) does the same plus removes the temp dir
# if this script itself dies from SIGKILL.
set -euo pipefail

UML_KERNEL=${UML_KERNEL:-/usr/bin/linux.uml}
UML_MODDIR_BASE=${UML_MODDIR_BASE:-/usr/lib/uml/modules}
timeout_s=${UML_TIMEOUT:-600}
workdir=$PWD
mem=${UML_MEM:-1G}
modules=${UML_MODULES:-8021q bridge veth dummy}
meta=
quiet=0
verbose=${UML_RUN_VERBOSE:-0}
read -r -a extra_env <<< "${UML_PASS_ENV:-}"
pass_env=(CI TERM LANG LC_ALL TZ "${extra_env[@]}")

die() { echo "uml-run: $*" >&2; exit 125; }
info() { [ "$quiet" = 1 ] || echo "uml: $*" >&2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2; }

while [ $# -gt 0 ]; do
  case $1 in
    --timeout) timeout_s=${2:?}; shift 2 ;;
    --timeout=*) timeout_s=${1#*=}; shift ;;
    --workdir) workdir=${2:?}; shift 2 ;;
    --workdir=*) workdir=${1#*=}; shift ;;
    --mem) mem=${2:?}; shift 2 ;;
    --mem=*) mem=${1#*=}; shift ;;
    --env) pass_env+=("${2:?}"); shift 2 ;;
    --env=*) pass_env+=("${1#*=}"); shift ;;
    --modules) modules=${2?}; shift 2 ;;
    --modules=*) modules=${1#*=}; shift ;;
    --meta) meta=${2:?}; shift 2 ;;
    --meta=*) meta=${1#*=}; shift ;;
    --quiet) quiet=1; shift ;;
    --verbose) verbose=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    -*) usage; die "unknown option $1" ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { usage; die "no command given"; }
if ! [[ $timeout_s =~ ^[0-9]+$ ]] || [ "$timeout_s" -le 0 ]; then die "--timeout must be a positive integer (seconds)"; fi
[ -x "$UML_KERNEL" ] || die "$UML_KERNEL not found: run scripts/install-uml.sh (Debian package user-mode-linux)"
if ! command -v insmod >/dev/null || ! command -v modprobe >/dev/null; then die "kmod (insmod/modprobe) not installed: run scripts/install-uml.sh"; fi
workdir=$(cd "$workdir" && pwd -P) || die "work dir not found"
case $workdir in *,*|*[[:space:]]*) die "work dir path must not contain commas or whitespace (hostfs mount option): $workdir" ;; esac
# Version of the UML kernel = name of its only modules dir.
uml_ver=$(find "$UML_MODDIR_BASE" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort | head -n1) || true
if [ -z "$uml_ver" ] || [ ! -f "$UML_MODDIR_BASE/$uml_ver/modules.dep" ]; then die "no UML modules under $UML_MODDIR_BASE"; fi

t0=$EPOCHREALTIME
deadline=$(( ${t0%.*} + timeout_s ))

# Private control dir: guest init, command, env, results, console log, UML's
# umid dir (mconsole socket). Removed on every exit path.
ctl=$(mktemp -d "${TMPDIR:-/tmp}/uml-run.XXXXXX")
case $ctl in *,*|*[[:space:]]*) rm -rf -- "$ctl"; die "TMPDIR must not contain commas or whitespace: $ctl" ;; esac
uml_pid=''
wd_pid=''
# Kill a process group and wait (max ~3 s) until its members are gone, so
# callers that check for stray processes right after we exit see none.
# $2=live: only wait for members that are not zombies (already-dead
# grandchildren are reaped by the host's init, sometimes a second later).
# After a clean guest power-off UML has reaped its own helpers: no wait.
kill_group() {
  local pg=$1 mode=${2:-all} i st
  kill -KILL -- "-$pg" 2>/dev/null || return 0
  { wait "$pg"; } 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    st=$(ps -o stat= -g "$pg" 2>/dev/null || true)
    [ "$mode" = live ] && st=$(grep -v '^Z' <<<"$st" || true)
    [ -z "$st" ] && return 0
    sleep 0.05
  done
}
# shellcheck disable=SC2317 # called by the EXIT/INT/TERM/HUP traps below
cleanup() {
  # UML's whole process group (main process + helper processes), then the
  # watchdog's group, then the temp dir.
  if [ -n "$uml_pid" ]; then kill_group "$uml_pid"; uml_pid=; fi
  if [ -n "$wd_pid" ]; then kill_group "$wd_pid" live; wd_pid=; fi
  rm -rf -- "$ctl"
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM
trap 'cleanup; trap - EXIT; exit 129' HUP

# ---- the command ---------------------------------------------------------
{
  echo 'set +e'
  if [ $# -eq 1 ]; then printf '%s\n' "$1"      # a shell string
  else printf 'exec'; printf ' %q' "$@"; echo    # an argv
  fi
} > "$ctl/cmd.sh"

# ---- the environment -----------------------------------------------------
{
  echo 'export PATH HOME TF_IN_AUTOMATION CHECKPOINT_DISABLE UML_RUN_DEADLINE UML_RUN_WORKDIR'
  printf 'PATH=%q\n' "${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}:/usr/sbin:/sbin"
  echo 'HOME=/root TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1'
  printf 'UML_RUN_DEADLINE=%q UML_RUN_WORKDIR=%q\n' "$deadline" "$workdir"
  for n in "${pass_env[@]}" $(compgen -e | grep -E '^(TF_|CHECKPOINT_)' || true); do
    [[ $n =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    [ -n "${!n+x}" ] && printf 'export %s=%q\n' "$n" "${!n}"
  done
  echo 'export UML_RUN=1'
} > "$ctl/env.sh"

# ---- guest init (PID 1) --------------------------------------------------
# Stage 1 runs on the read-only hostfs root: builds the overlay root in guest
# RAM, mounts everything into it and chroots. Stage 2 (still PID 1) loads
# modules, runs the command with a guest-side timeout, records results,
# syncs hostfs and powers the guest off. Written to minimise exec()s: each
# costs ~30 ms in UML.
cat > "$ctl/init.sh" <<'GUEST_INIT'
#!/bin/bash
# $1 = host control dir (visible read-only via hostfs root), $2 = stage
ctl=$1 G=/run/uml-run
ok() { "$@" || echo "uml-init: failed: $*" >&2; }
# Fatal: PID 1 exits -> guest kernel panics -> linux.uml exits -> host reports 125.
must() { "$@" || { echo "uml-init: FATAL: $*" >&2; exit 1; }; }
# sysrq 'o' powers the guest off (linux.uml exits 0); it is asynchronous, so
# PID 1 must stay alive meanwhile.
poweroff_now() { sync; echo o > /proc/sysrq-trigger; while :; do sleep 5; done; }
if [ "$2" = 1 ]; then
  echo "uml-init: stage 1 at $EPOCHREALTIME" >&2
  # Until the guest's own /proc is mounted, /proc is the host's seen through
  # the read-only hostfs root: nothing may be written before this.
  must mount -t proc proc /proc
  must mount -t tmpfs -o mode=755 tmpfs /run
  ok mkdir -p /run/ovl/upper /run/ovl/work /run/ovl/root
  ver=$(</proc/sys/kernel/osrelease)
  ok insmod "/usr/lib/uml/modules/$ver/kernel/fs/overlayfs/overlay.ko"
  R=/run/ovl/root
  must mount -t overlay overlay -o lowerdir=/,upperdir=/run/ovl/upper,workdir=/run/ovl/work $R
  # Everything else in one exec (each exec costs ~30-50 ms in UML):
  # fstab generated by the host script.
  must mount --all --fstab "$ctl/fstab"
  echo uml > /proc/sys/kernel/hostname
  exec /usr/sbin/chroot $R /bin/bash $G/init.sh "$ctl" 2
fi
# ---- stage 2: inside the overlay root, PID 1 --------------------------------
. $G/env.sh
echo "uml-init: stage 2 at $EPOCHREALTIME" >&2
wd=$UML_RUN_WORKDIR
# /lib/modules/<ver> -> the UML package's modules (in the RAM overlay), so
# modprobe and kernel module auto-loading work.
ver=$(</proc/sys/kernel/osrelease)
ok mkdir -p "$wd" /lib/modules
ok ln -sfn "/usr/lib/uml/modules/$ver" "/lib/modules/$ver"
mount -t hostfs -o "$wd" hostfs "$wd" || { echo "uml-init: cannot mount work dir $wd" >&2; poweroff_now; }
[ -z "$UML_RUN_MODULES" ] || ok modprobe -a $UML_RUN_MODULES
ok ip link set lo up
echo "uml-init: modules+lo done at $EPOCHREALTIME" >&2
now=$EPOCHREALTIME
left=$(( UML_RUN_DEADLINE - ${now%.*} - 3 ))
echo "$now" > $G/t_start
if [ "$left" -le 0 ]; then
  rc=124; echo "uml-run: no time left for the command after boot" > $G/stderr; : > $G/stdout
else
  cd "$wd" && timeout -k 2 "$left" /bin/bash $G/cmd.sh </dev/null >$G/stdout 2>$G/stderr
  rc=$?
fi
echo "$EPOCHREALTIME" > $G/t_end
echo "$rc" > $G/rc
poweroff_now
GUEST_INIT
chmod 755 "$ctl/init.sh"
# Guest mounts below the overlay root R, in order (mount -a, X-mount.mkdir
# creates mount points inside the new tmpfs/overlay, never on the host).
R=/run/ovl/root
cat > "$ctl/fstab" <<FSTAB
proc     $R/proc         proc     defaults 0 0
sysfs    $R/sys          sysfs    defaults 0 0
devtmpfs $R/dev          devtmpfs defaults 0 0
tmpfs    $R/run          tmpfs    mode=755 0 0
tmpfs    $R/tmp          tmpfs    mode=1777 0 0
tmpfs    $R/var/tmp      tmpfs    mode=1777 0 0
devpts   $R/dev/pts      devpts   newinstance,ptmxmode=0666,X-mount.mkdir 0 0
tmpfs    $R/dev/shm      tmpfs    mode=1777,X-mount.mkdir 0 0
tmpfs    $R/run/netns    tmpfs    mode=755,X-mount.mkdir 0 0
hostfs   $R/run/uml-run  hostfs   $ctl,X-mount.mkdir 0 0
FSTAB
printf 'export UML_RUN_MODULES=%q\n' "$modules" >> "$ctl/env.sh"

# ---- boot ----------------------------------------------------------------
# setsid: own session + process group (pgid == pid, since a background job of
# a non-interactive shell is never a group leader), detached from any tty.
# TMPDIR=/dev/shm: UML backs guest RAM with an (unlinked) file there.
shm=/dev/shm; [ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
( cd "$ctl" && TMPDIR=$shm exec setsid "$UML_KERNEL" \
    mem="$mem" rootfstype=hostfs rootflags=/ ro \
    init="$ctl/init.sh" uml_dir="$ctl" umid=uml \
    con=null ssl=null con0=null,fd:2 quiet loglevel=4 printk.time=1 \
    -- "$ctl" 1 ) </dev/null >"$ctl/console.log" 2>&1 &
uml_pid=$!

# Watchdog, in its own process group: if this script dies (even SIGKILL) or
# the deadline + grace passes, kill UML's group and remove the temp dir.
# `tail --pid` blocks until our PID disappears (no busy loop).
grace=5
# shellcheck disable=SC2016 # the watchdog's own script: its $1.. expand in the child bash
setsid bash -c '
  self=$1 upg=$2 ctl=$3 t=$4
  # --foreground: keep timeout+tail in this group (killed with it).
  if timeout --foreground "$t" tail --pid="$self" -f /dev/null; then   # script gone
    kill -KILL -- "-$upg" 2>/dev/null; sleep 0.2; rm -rf -- "$ctl"
  else                                                    # hard timeout
    : > "$ctl/hard_timeout"; kill -KILL -- "-$upg" 2>/dev/null
  fi' uml-watchdog "$$" "$uml_pid" "$ctl" "$(( timeout_s + grace ))" </dev/null >/dev/null 2>&1 &
wd_pid=$!

set +e
{ wait "$uml_pid"; } 2>/dev/null   # (hides bash's "Killed" job notice)
uml_rc=$?
set -e
uml_pid_done=$uml_pid
kill_group "$uml_pid"   # any helper left behind
uml_pid=
t1=$EPOCHREALTIME

# ---- results -------------------------------------------------------------
us() { local s=${1%.*} f=${1#*.}; echo $(( s * 1000000 + 10#${f:0:6} )); }
ms_between() { echo $(( ( $(us "$2") - $(us "$1") ) / 1000 )); }
fmt_s() { printf '%d.%01d' $(( $1 / 1000 )) $(( ($1 % 1000) / 100 )); }
total_ms=$(ms_between "$t0" "$t1")
boot_ms=-1 cmd_ms=-1 timed_out=0
[ -s "$ctl/t_start" ] && boot_ms=$(ms_between "$t0" "$(<"$ctl/t_start")")
[ -s "$ctl/t_start" ] && [ -s "$ctl/t_end" ] && cmd_ms=$(ms_between "$(<"$ctl/t_start")" "$(<"$ctl/t_end")")
[ "$verbose" = 1 ] && { echo "uml: ---- guest console (started $t0) ----"; cat -- "$ctl/console.log"; echo "uml: ----"; } >&2
[ -f "$ctl/stdout" ] && cat -- "$ctl/stdout"
[ -f "$ctl/stderr" ] && cat -- "$ctl/stderr" >&2
if [ -s "$ctl/rc" ]; then
  rc=$(<"$ctl/rc")
  [ "$rc" = 124 ] && timed_out=1
elif [ -e "$ctl/hard_timeout" ]; then
  rc=124 timed_out=1
  echo "uml-run: timeout after ${timeout_s}s; guest killed" >&2
else
  rc=125
  echo "uml-run: guest stopped without a result (linux.uml exit $uml_rc); console log tail:" >&2
  tail -n 40 "$ctl/console.log" >&2 || true
fi
[ "$timed_out" = 1 ] && [ -s "$ctl/rc" ] && echo "uml-run: command timed out (limit ${timeout_s}s incl. boot)" >&2
[ "$boot_ms" -ge 0 ] && info "boot-to-command $(fmt_s "$boot_ms")s"
[ "$cmd_ms" -ge 0 ] && info "command $(fmt_s "$cmd_ms")s, exit $rc"
info "total $(fmt_s "$total_ms")s (pid $uml_pid_done)"
if [ -n "$meta" ]; then
  printf 'exit=%s\nboot_ms=%s\ncmd_ms=%s\ntotal_ms=%s\ntimed_out=%s\n' \
    "$rc" "$boot_ms" "$cmd_ms" "$total_ms" "$timed_out" > "$meta" || true
fi
exit "$rc"
