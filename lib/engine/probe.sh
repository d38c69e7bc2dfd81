#!/bin/sh
# cdktf-netns connectivity intents: sourced by engine.sh (not run on its own), which runs them with
#
#   sh engine.sh check INTENTS HASH
#
# after an apply (the lab's Seal step) and for `cdktf-netns check`. INTENTS is the file
# written at synth (lib/engine/intents.ts: `intent EXPECT FROM TO PROTOCOL PORT VIA
# TIMEOUT_MS PATH` a line), HASH its sha256 from the plan. Each intent is probed from its
# namespace, PROBE_PARALLEL at a time (a new one as soon as one ends); a probe that cannot
# run (the namespace is gone, the tool is missing) is an error, never a passing Unreachable.
# Exit: 0 every intent holds, 2 one failed, 1 a probe could not run (or a bad file).
set -eu

PROBE_PARALLEL=64

ms() { echo $(( $(now) / 1000000 )); }

# seconds of a millisecond count, as people write them: 5, 1.5, 0.25
secs() { _s=$(( $1 / 1000 )); _r=$(( $1 % 1000 ))
  if [ "$_r" = 0 ]; then echo "$_s"; return; fi
  _r=$(printf '%03d' "$_r"); while [ "${_r%0}" != "$_r" ]; do _r=${_r%0}; done; echo "$_s.$_r"; }

# sets _hop to the first hop of an `ip -o route get` line: its gateway, "direct" (on-link) or "none"
hop_of() {
  # shellcheck disable=SC2086 # split into words on purpose (globbing is off)
  set -- $1
  case ${1:-none} in none|unreachable|prohibit|blackhole|throw) _hop=none; return ;; esac
  _hop=direct
  while [ $# -gt 1 ]; do if [ "$1" = via ]; then _hop=$2; return; fi; shift; done
}

# one attempt: sets _rc (0 an answer, 1 none, 3 the probe could not run: why in _why).
# One process in the namespace, as `ip netns exec NS ping` would be: the first hop is read
# only when it is asked for (route_hop)
probe_attempt() { # FROM TO PROTOCOL PORT ERRFILE
  _rc=0
  # shellcheck disable=SC2016 # the bash programs expand $0 and $1 themselves
  case $3 in
    icmp) in_ns "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>"$5" || _rc=$? ;;
    # bash's /dev/tcp: connect(2), nothing sent; refused, unreachable or silent for 1 s = no answer
    tcp) in_ns "$1" timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$2" "$4" >/dev/null 2>"$5" || _rc=$? ;;
    # a datagram, and one byte of any answer within a second (an ICMP port unreachable fails the read at once)
    udp) in_ns "$1" timeout 1 bash -c 'exec 3<>"/dev/udp/$0/$1" && printf "cdktf-netns probe\n" >&3 && IFS= read -r -n 1 -t 1 _ <&3' "$2" "$4" >/dev/null 2>"$5" || _rc=$? ;;
  esac
  [ "$_rc" = 0 ] && return 0
  # nsenter's own failure (a namespace that cannot be entered) is no answer either way: an error
  if grep -q '^nsenter: ' "$5"; then _rc=3; _why="cannot enter namespace $1 ($(head -n 1 "$5"))"; return 0; fi
  # ping's errors (exit 2): a destination the kernel has no route to is no answer, anything else an error
  if [ "$3" = icmp ] && [ "$_rc" != 1 ] && ! grep -qiE 'unreachable|no route|network is down|cannot assign|destination' "$5"; then
    _rc=3; _why=$(head -n 1 "$5"); return 0
  fi
  _rc=1
}

# sets _hop: the kernel's routing decision in FROM for TO (its gateway, direct or none)
route_hop() { # FROM TO
  _route=$(in_ns "$1" ip -o route get "$2" 2>/dev/null) || _route=""
  hop_of "$_route"
}

# one intent; prints `STATUS<TAB>what was seen`, STATUS = ok | fail | error
probe_one() { # EXPECT FROM TO PROTOCOL PORT VIA TIMEOUT_MS FILE-PREFIX
  _who=$2; [ "$_who" = - ] && _who=host
  _target=$3; [ "$5" = - ] || case $3 in *:*) _target="[$3]:$5" ;; *) _target="$3:$5" ;; esac
  if [ "$2" != - ] && [ ! -e "/run/netns/$2" ]; then
    printf 'error\tthe probe could not run: namespace %s does not exist (is the lab deployed?)\n' "$2"; return 0
  fi
  # the deadline is read only when it matters (a clock read is a process): a fresh IPv6
  # address is tentative (unusable) until duplicate address detection is done
  _end=""
  case $3 in *:*)
    _end=$(( $(ms) + $7 ))
    while [ -n "$(in_ns "$2" ip -6 addr show tentative 2>/dev/null)" ] && [ "$(ms)" -lt "$_end" ]; do sleep 0.1; done ;;
  esac
  while :; do
    probe_attempt "$2" "$3" "$4" "$5" "$8.e"
    if [ "$_rc" = 3 ]; then printf 'error\tthe probe could not run: %s\n' "$_why"; return 0; fi
    if [ "$_rc" = 0 ]; then
      if [ "$1" = unreach ]; then route_hop "$2" "$3"; printf 'fail\t%s reached %s but must not (first hop %s)\n' "$_who" "$_target" "$_hop"; return 0; fi
      if [ "$6" = - ]; then printf 'ok\t%s reached %s\n' "$_who" "$_target"; return 0; fi
      route_hop "$2" "$3"
      if [ "$_hop" != "$6" ]; then printf 'fail\tfirst hop was %s, expected %s (%s reached %s)\n' "$_hop" "$6" "$_who" "$_target"; return 0; fi
      printf 'ok\t%s reached %s (first hop %s)\n' "$_who" "$_target" "$_hop"; return 0
    fi
    # after a first attempt without an answer (it waited up to 1 s): the deadline, counted from its start
    [ -n "$_end" ] || _end=$(( $(ms) + $7 - 1000 ))
    [ "$(ms)" -lt "$_end" ] || break
    [ "$1" = unreach ] || sleep 0.2
  done
  route_hop "$2" "$3"
  if [ "$1" = unreach ]; then printf 'ok\t%s got no answer from %s within %s s (first hop %s)\n' "$_who" "$_target" "$(secs "$7")" "$_hop"; return 0; fi
  printf 'fail\t%s did not reach %s within %s s (first hop %s)\n' "$_who" "$_target" "$(secs "$7")" "$_hop"
}

probe_check() { # INTENTS HASH
  [ -f "$1" ] || die "intents file $1 is missing: run 'cdktf synth' (or 'cdktf deploy') again"
  _have=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$_have" = "$2" ] || die "intents file $1 does not match the plan (sha256 $_have, the plan says $2): it was edited or re-synthesized without the plan; run 'cdktf synth' and apply again"
  command -v ping >/dev/null 2>&1 || NO_PING=1
  command -v bash >/dev/null 2>&1 || NO_BASH=1
  command -v timeout >/dev/null 2>&1 || NO_TIMEOUT=1
  W=$(mktemp -d)
  [ -n "${CDKTF_NETNS_KEEP_WORK:-}" ] || trap 'rm -rf "$W"' EXIT
  trap 'exit 1' INT TERM HUP PIPE
  # the pool of probe slots: a FIFO holding PROBE_PARALLEL tokens (open read-write: never blocks on open)
  mkfifo "$W/pool"
  exec 8<>"$W/pool"
  _i=0; while [ "$_i" -lt "$PROBE_PARALLEL" ]; do echo >&8; _i=$((_i + 1)); done
  _n=0
  # every field is checked again: the file is plain text beside the plan
  while IFS=' ' read -r _kw _exp _from _to _proto _port _via _tmo _path _rest; do
    case $_kw in intent) ;; '#'*|'') continue ;; *) die "intents file $1: not an intent line: $_kw ..." ;; esac
    case "$_exp:$_proto:$_rest" in reach:icmp:|reach:tcp:|reach:udp:|unreach:icmp:|unreach:tcp:|unreach:udp:) ;; *) die "intents file $1: bad intent line ($_path)" ;; esac
    case $_from in -|[A-Za-z0-9_]*) ;; *) die "intents file $1: bad namespace '$_from'" ;; esac
    case "$_from$_to$_port$_via$_tmo$_path" in *[!A-Za-z0-9_.:/%-]*) die "intents file $1: unexpected characters in an intent line" ;; esac
    case $_tmo in ''|*[!0-9]*) die "intents file $1: bad timeout '$_tmo'" ;; esac
    _n=$((_n + 1))
    printf '%s\n' "$_path" > "$W/p.$_n"
    if [ "$_proto" = icmp ] && [ -n "${NO_PING:-}" ]; then
      printf "error\tthe probe could not run: 'ping' is not installed (iputils-ping)\n" > "$W/r.$_n"; continue
    fi
    if [ "$_proto" != icmp ] && [ -n "${NO_BASH:-}${NO_TIMEOUT:-}" ]; then
      printf "error\tthe probe could not run: 'bash' and 'timeout' are needed (tcp and udp probes use bash's /dev/%s)\n" "$_proto" > "$W/r.$_n"; continue
    fi
    # a token from the pool first (PROBE_PARALLEL of them): a new probe starts as soon as one ends
    read -r _ <&8
    { probe_one "$_exp" "$_from" "$_to" "$_proto" "$_port" "$_via" "$_tmo" "$W/a.$_n" > "$W/r.$_n" 2>/dev/null || true; echo >&8; } &
  done < "$1"
  wait
  _ok=0; _bad=0; _err=0; _failed=""
  _i=0
  while [ "$_i" -lt "$_n" ]; do
    _i=$((_i + 1))
    IFS= read -r _p < "$W/p.$_i"
    _st=error; _seen="the probe could not run: it printed nothing"
    if [ -s "$W/r.$_i" ]; then IFS='	' read -r _st _seen < "$W/r.$_i" || true; fi
    case $_st in
      ok) _ok=$((_ok + 1)); printf 'cdktf-netns: intent %s: holds: %s\n' "$_p" "$_seen" ;;
      fail) _bad=$((_bad + 1)); _failed="$_failed $_p"; printf 'cdktf-netns: intent %s: FAILED: %s\n' "$_p" "$_seen" ;;
      *) _err=$((_err + 1)); _failed="$_failed $_p"; printf 'cdktf-netns: intent %s: ERROR: %s\n' "$_p" "$_seen" ;;
    esac
  done
  printf 'cdktf-netns: intents: %s hold, %s failed, %s could not run (%s ms)\n' "$_ok" "$_bad" "$_err" $(( ($(now) - T0) / 1000000 ))
  if [ "$_err" -gt 0 ]; then printf 'cdktf-netns: %s intent probe(s) could not run:%s\n' "$_err" "$_failed" >&2; exit 1; fi
  if [ "$_bad" -gt 0 ]; then printf 'cdktf-netns: %s of %s intents failed:%s\n' "$_bad" "$_n" "$_failed" >&2; exit 2; fi
  exit 0
}
