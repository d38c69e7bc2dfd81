#!/bin/sh
# cdktf-netns connectivity intents: sourced by engine.sh (not run on its own), which runs them with
#
#   sh engine.sh check INTENTS HASH
#
# after an apply (the lab's Seal step) and for `cdktf-netns check`. INTENTS is the file
# written at synth (lib/engine/intents.ts: `intent EXPECT FROM TO PROTOCOL PORT VIA
# TIMEOUT_MS PATH` a line), HASH its sha256 from the plan. Each intent is probed from its
# namespace, all of them in parallel; a probe that cannot run (the namespace is gone, the
# tool is missing) is an error, never a passing Unreachable.
# Exit: 0 every intent holds, 2 one failed, 1 a probe could not run (or a bad file).
set -eu

PROBE_PARALLEL=64

ms() { echo $(( $(now) / 1000000 )); }

# one attempt of a probe: 0 = an answer, 1 = none, 3 = the probe could not run (why on stdout)
probe_attempt() { # FROM TO PROTOCOL PORT ERRFILE
  case $3 in
    icmp)
      _rc=0; in_ns "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>"$5" || _rc=$?
      case $_rc in
        0) return 0 ;;
        1) return 1 ;;
      esac
      # ping exits 2 on errors, among them a destination the kernel has no route to: that is no answer
      if grep -qiE 'unreachable|no route|network is down|cannot assign|destination' "$5"; then return 1; fi
      head -n 1 "$5"; return 3 ;;
    tcp)
      # bash's /dev/tcp: connect(2), nothing sent; refused, unreachable or no answer within 1 s = none
      # shellcheck disable=SC2016
      in_ns "$1" timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$2" "$4" >/dev/null 2>"$5" && return 0
      return 1 ;;
    udp)
      # a datagram to the port, and one byte of any answer within a second (an ICMP port
      # unreachable makes the read fail at once)
      # shellcheck disable=SC2016
      in_ns "$1" timeout 1 bash -c 'exec 3<>"/dev/udp/$0/$1" && printf "cdktf-netns probe\n" >&3 && IFS= read -r -n 1 -t 1 _ <&3' "$2" "$4" >/dev/null 2>"$5" && return 0
      return 1 ;;
  esac
  echo "unknown protocol '$3'"; return 3
}

# the kernel's routing decision in FROM: the gateway, "direct" (on-link) or "none" (no route)
first_hop() { # FROM TO
  _rg=$(in_ns "$1" ip -j route get "$2" 2>/dev/null) || { echo none; return 0; }
  printf '%s' "$_rg" | jq -r '.[0] | if .type == "unreachable" or .type == "prohibit" or .type == "blackhole" then "none" else (.gateway // "direct") end' 2>/dev/null || echo none
}

# one intent; prints `STATUS<TAB>what was seen`, STATUS = ok | fail | error
probe_one() { # EXPECT FROM TO PROTOCOL PORT VIA TIMEOUT_MS ERRFILE
  _who=$2; [ "$_who" = - ] && _who=host
  _target=$3; [ "$5" = - ] || case $3 in *:*) _target="[$3]:$5" ;; *) _target="$3:$5" ;; esac
  if [ "$2" != - ]; then
    [ -e "/run/netns/$2" ] || { printf 'error\tthe probe could not run: namespace %s does not exist (is the lab deployed?)\n' "$2"; return 0; }
    in_ns "$2" true 2>/dev/null || { printf 'error\tthe probe could not run: cannot enter namespace %s\n' "$2"; return 0; }
  fi
  case $4 in
    icmp) command -v ping >/dev/null 2>&1 || { printf "error\tthe probe could not run: 'ping' is not installed (iputils-ping)\n"; return 0; } ;;
    *) command -v bash >/dev/null 2>&1 || { printf "error\tthe probe could not run: 'bash' is not installed (tcp and udp probes use its /dev/%s)\n" "$4"; return 0; } ;;
  esac
  command -v timeout >/dev/null 2>&1 || { printf "error\tthe probe could not run: 'timeout' is not installed (coreutils)\n"; return 0; }
  _end=$(( $(ms) + $7 ))
  # a fresh IPv6 address is tentative (unusable) until duplicate address detection is done
  case $3 in *:*)
    while [ -n "$(in_ns "$2" ip -6 addr show tentative 2>/dev/null)" ] && [ "$(ms)" -lt "$_end" ]; do sleep 0.1; done ;;
  esac
  _secs=$(awk -v m="$7" 'BEGIN { printf "%g", m / 1000 }')
  while :; do
    _rc=0; _why=$(probe_attempt "$2" "$3" "$4" "$5" "$8") || _rc=$?
    if [ "$_rc" = 3 ]; then printf 'error\tthe probe could not run: %s\n' "$_why"; return 0; fi
    if [ "$_rc" = 0 ]; then
      _hop=$(first_hop "$2" "$3")
      if [ "$1" = unreach ]; then printf 'fail\t%s reached %s but must not (first hop %s)\n' "$_who" "$_target" "$_hop"; return 0; fi
      if [ "$6" != - ] && [ "$_hop" != "$6" ]; then printf 'fail\tfirst hop was %s, expected %s (%s reached %s)\n' "$_hop" "$6" "$_who" "$_target"; return 0; fi
      printf 'ok\t%s reached %s (first hop %s)\n' "$_who" "$_target" "$_hop"; return 0
    fi
    [ "$(ms)" -lt "$_end" ] || break
    [ "$1" = unreach ] || sleep 0.2
  done
  _hop=$(first_hop "$2" "$3")
  if [ "$1" = unreach ]; then printf 'ok\t%s got no answer from %s within %s s (first hop %s)\n' "$_who" "$_target" "$_secs" "$_hop"; return 0; fi
  printf 'fail\t%s did not reach %s within %s s (first hop %s)\n' "$_who" "$_target" "$_secs" "$_hop"
}

probe_check() { # INTENTS HASH
  [ -f "$1" ] || die "intents file $1 is missing: run 'cdktf synth' (or 'cdktf deploy') again"
  _have=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$_have" = "$2" ] || die "intents file $1 does not match the plan (sha256 $_have, the plan says $2): it was edited or re-synthesized without the plan; run 'cdktf synth' and apply again"
  W=$(mktemp -d)
  [ -n "${CDKTF_NETNS_KEEP_WORK:-}" ] || trap 'rm -rf "$W"' EXIT
  trap 'exit 1' INT TERM HUP PIPE
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
    probe_one "$_exp" "$_from" "$_to" "$_proto" "$_port" "$_via" "$_tmo" "$W/e.$_n" > "$W/r.$_n" 2>/dev/null &
    if [ $((_n % PROBE_PARALLEL)) -eq 0 ]; then wait; fi
  done < "$1"
  wait
  _ok=0; _bad=0; _err=0; _failed=""
  _i=0
  while [ "$_i" -lt "$_n" ]; do
    _i=$((_i + 1))
    _p=$(cat "$W/p.$_i")
    IFS='	' read -r _st _seen < "$W/r.$_i" || { _st=error; _seen="the probe could not run: it printed nothing"; }
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
