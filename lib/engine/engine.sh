#!/bin/sh
# cdktf-netns engine: bring the kernel in line with a lab's data file.
#
#   sh engine.sh apply DATA HASH DEPLOYMENT       reconcile (the Lab resource's create step)
#   sh engine.sh seal DATA HASH DEPLOYMENT        the last step of an apply: finish an interrupted one
#   sh engine.sh repair DATA DEPLOYMENT           reconcile, checking every declared object
#   sh engine.sh plan DATA DEPLOYMENT             print the operations apply would run
#   sh engine.sh destroy STATE_DIR LAB DEPLOYMENT remove everything the deployment's record lists
#   sh engine.sh adopt STATE_DIR LAB DEPLOYMENT   let the lab's next new deployment take this one over
#   sh engine.sh list STATE_DIR                   the deployments recorded on this machine
#   sh engine.sh check INTENTS HASH               probe the lab's connectivity intents (probe.sh)
#
# DATA is written by the library at synth time (one object a line, see
# lib/engine/lab.ts and lib/kinds/); HASH is its sha256 from the plan, so a stale or
# edited data file is refused. DEPLOYMENT is the Terraform id of the lab's Teardown
# resource (born at the first apply, so twin deployments of one plan differ), or
# `token:` and the 12 hex digits derived from it. Each deployment's record (what was
# applied last, and a journal of what an unfinished run may have created) lives in
# STATE_DIR/labs/LAB/TOKEN, root-only; the kernel carries the token in every marker
# (`cdktf-netns:<stack>@<token>/<path>`). Work is done in batches: one `ip -batch` from
# the root namespace (namespaces, veth pairs), then one per namespace that changes,
# through nsenter; only what changed is touched.
IFS=' 	
'
# Only what Terraform's command line says counts: nothing inherited (DRY_RUN, ENV,
# BASH_ENV, AWKPATH, POSIXLY_CORRECT, locales, ...) changes what runs. PATH and our own
# debugging switches (CDKTF_NETNS_TIMING, CDKTF_NETNS_KEEP_WORK) pass through.
if [ "${CDKTF_NETNS_ENGINE_ENV:-}" != clean ]; then
  exec env -i CDKTF_NETNS_ENGINE_ENV=clean PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    CDKTF_NETNS_TIMING="${CDKTF_NETNS_TIMING:-}" CDKTF_NETNS_KEEP_WORK="${CDKTF_NETNS_KEEP_WORK:-}" /bin/sh "$0" "$@"
fi
set -eu
set -f
umask 077
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)

die() { printf 'cdktf-netns: %s\n' "$*" >&2; exit 1; }
now() { date +%s%N 2>/dev/null || date +%s000000000; }
T0=$(now)
TL=$T0
# CDKTF_NETNS_TIMING=1: how long each step took, on stderr
tick() { [ -n "${CDKTF_NETNS_TIMING:-}" ] || return 0; _t=$(now); printf 'cdktf-netns: timing: %s %s ms\n' "$1" $(( (_t - TL) / 1000000 )) >&2; TL=$_t; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed (cdktf-netns needs $2)"; }
need ip "iproute2"; need awk "awk"; need jq "jq (to read ip -j output)"; need nsenter "util-linux's nsenter"

# ---- the state directory: root-owned all the way up, nothing writable by others
safe_dir() {
  [ -d "$1" ] || mkdir -p "$1" || die "cannot create the state directory $1"
  _c=$1
  while :; do
    [ -L "$_c" ] && die "state directory component $_c is a symbolic link: refusing to trust it (use a root-owned directory such as /run/cdktf-netns)"
    _st=$(stat -c '%u %A' "$_c") || die "cannot stat $_c"
    case $_st in
      "0 "?????w*|"0 "????????w*) die "state directory component $_c is writable by group or others ($_st): refusing to trust it (use a root-owned directory such as /run/cdktf-netns)" ;;
      "0 "*) ;;
      *) die "state directory component $_c is not owned by root ($_st): refusing to trust it" ;;
    esac
    [ "$_c" = / ] && break
    _c=$(dirname "$_c")
  done
}

header() { sed -n "s/^#$1 //p" "$2" | head -n 1; }

# The deployment's token: 12 hex digits of the sha256 of its Terraform id (lib/core/settings.ts: deploymentToken)
dep_token() {
  case $1 in
    token:*) _t=${1#token:}
      case $_t in *[!0-9a-f]*|'') die "deployment token '$_t' is not 12 hexadecimal digits" ;; esac
      [ ${#_t} -eq 12 ] || die "deployment token '$_t' is not 12 hexadecimal digits"
      printf '%s\n' "$_t" ;;
    *) case $1 in *[!A-Za-z0-9-]*|'') die "deployment id '$1' is not a Terraform resource id" ;; esac
      [ ${#1} -le 64 ] || die "deployment id '$1' is too long"
      printf '%s' "$1" | sha256sum | cut -c1-12 ;;
  esac
}

check_state_path() {
  case $1 in /*) ;; *) die "state directory '$1' is not an absolute path" ;; esac
  case $1 in *..*|*[!A-Za-z0-9_./-]*) die "state directory '$1' has characters outside A-Z a-z 0-9 _ . / -" ;; esac
}

# the record's small facts: deployment id, where it was applied from, since when
info() { [ -f "$1/info" ] && sed -n "s/^$2 //p" "$1/info" | head -n 1; }

setup_lab() { # STATE_DIR LAB DEPLOYMENT
  STATE=$1; LAB=$2
  check_state_path "$STATE"
  case $LAB in *[!0-9a-f]*|'') die "lab id '$LAB' is not a hexadecimal id" ;; esac
  DEP=$(dep_token "$3")
  safe_dir "$STATE"
  mkdir -p "$STATE/labs/$LAB" "$STATE/sysctl"
  # one run at a time per lab, all deployments of it (a lock on the lab's directory itself: no
  # lock file to leave behind), so twins applying at once see each other's objects
  if command -v flock >/dev/null 2>&1; then exec 9<"$STATE/labs/$LAB"; flock 9; fi
  REC=$STATE/labs/$LAB/$DEP
  mkdir -p "$REC" "$REC/nsorig"
  [ -f "$REC/info" ] || printf 'id %s\nsince %s\n' "$3" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$REC/info"
  # the work directory of a run that was killed: nobody else can be using it now
  set +f; rm -rf "$REC"/work.*; set -f
  W=$(mktemp -d "$REC/work.XXXXXXXX")
  # sort and friends keep their temporary files in the run's own directory, never in /tmp
  TMPDIR=$W; export TMPDIR
  [ -n "${CDKTF_NETNS_KEEP_WORK:-}" ] || trap 'rm -rf "$W"' EXIT
  trap 'exit 1' INT TERM HUP PIPE
  mkdir "$W/n"
  ALTDEP=""
  if [ -f "$REC/adopting" ]; then ALTDEP=$(dep_token "token:$(cat "$REC/adopting")"); fi
}

# Take over a deployment the operator released for adoption (`cdktf-netns adopt`): only a
# deployment with no record of its own does, and only when exactly one is on offer.
adopt_offered() {
  [ ! -f "$REC/applied" ] && [ ! -f "$REC/journal" ] && [ -z "$ALTDEP" ] || return 0
  set +f
  _offers=$(for _d in "$STATE/labs/$LAB"/*/adoptable; do [ -f "$_d" ] && basename "$(dirname "$_d")"; done | grep -vx "$DEP" || true)
  set -f
  [ -n "$_offers" ] || return 0
  [ "$(printf '%s\n' "$_offers" | wc -l)" -eq 1 ] || die "several deployments of this lab are offered for adoption ($(printf '%s' "$_offers" | tr '\n' ' ')): withdraw all but one (cdktf-netns release, or destroy them)"
  _o=$STATE/labs/$LAB/$_offers
  dep_token "token:$_offers" > /dev/null
  for _f in applied journal nsino; do if [ -f "$_o/$_f" ]; then mv "$_o/$_f" "$REC/$_f"; fi; done
  set +f; for _f in "$_o"/nsorig/*; do if [ -f "$_f" ]; then mv "$_f" "$REC/nsorig/"; fi; done; set -f
  printf '%s\n' "$_offers" > "$REC/adopting"
  rm -rf "$_o"
  ALTDEP=$_offers
  printf 'cdktf-netns: deployment %s takes over deployment %s (released for adoption)\n' "$DEP" "$ALTDEP"
}

# ---- kernel facts (engine's view of what exists), tab-separated, see gen.awk
ns_facts() {
  printf '#\n'
  # one find for all of them; only names a namespace can have (no blanks, no newlines) are read
  if [ -d /run/netns ]; then
    find /run/netns -mindepth 1 -maxdepth 1 -regextype posix-extended -regex '/run/netns/[A-Za-z0-9_][A-Za-z0-9_.-]*' \
      -printf 'N\t%f\t%D:%i\t%F\n'
  fi
  if [ -s "$REC/nsino" ]; then awk '{ print "I\t" $1 "\t" $2 }' "$REC/nsino"; fi
}

# One namespace's facts as a line of JSON (a message on stderr and status 1 when it cannot be
# read): its links and routes; NAME@lo only its lo (it is going away: only its marker matters); in
# the namespaces of NFTNS (space-separated) also the names of its nftables tables, in the same
# process; NAME@nft only those, and lo's marker (where only rules change).
read_ns() {
  case $1 in
    *@nft) _n=${1%@nft}
      # shellcheck disable=SC2016
      nsenter "--net=/run/netns/$_n" sh -c 'printf "{\"ns\":\"%s\",\"r4\":[],\"r6\":[],\"l\":" "$1"; ip -j -d addr show dev lo; printf ",\"t\":"; nft -j list tables inet || exit 3; printf "}\n"' sh "$_n" ||
        { printf "cdktf-netns: cannot read the nftables tables of namespace '%s'\n" "$_n" >&2; return 1; } ;;
    *@lo) _n=${1%@lo}
      # shellcheck disable=SC2016
      nsenter "--net=/run/netns/$_n" sh -c 'printf "{\"ns\":\"%s\",\"r4\":[],\"r6\":[],\"l\":" "$1"; ip -j -d addr show dev lo; printf "}\n"' sh "$_n" ||
        { printf "cdktf-netns: cannot read namespace '%s'\n" "$_n" >&2; return 1; } ;;
    *) _n=$1
      if [ "$_n" = - ]; then _pre=""; else _pre="nsenter --net=/run/netns/$_n"; fi
      case " ${NFTNS:-} " in *" $_n "*) _t=1 ;; *) _t=0 ;; esac
      # shellcheck disable=SC2016
      $_pre sh -c 'printf "{\"ns\":\"%s\",\"l\":" "$1"; ip -j -d addr show; printf ",\"r4\":"; ip -j -4 route show table main; printf ",\"r6\":"; ip -j -6 route show table main
        if [ "$2" = 1 ]; then printf ",\"t\":"; nft -j list tables inet || exit 3; fi; printf "}\n"' sh "$_n" "$_t" ||
        { printf 'cdktf-netns: cannot read the interfaces%s of %s\n' "$( [ "$_t" = 1 ] && echo ' and nftables tables')" "$( [ "$_n" = - ] && echo 'the host namespace' || echo "namespace '$_n'")" >&2; return 1; } ;;
  esac
}

# The facts of the host and of the given namespaces (read once each), tab-separated for gen.awk;
# for a table named like a lab's also its comment (nft 1.0 lists that in text only): `F ns table comment`
link_facts() {
  # (one namespace after another: reading them in parallel gains nothing, their netlink dumps queue in the kernel)
  for _n in - "$@"; do read_ns "$_n" || exit 1; done > "$W/facts.json"
  jq -r '.ns as $ns
    | (.l[] | ["L", $ns, .ifname, (.ifalias // ""), (.linkinfo.info_kind // ""), (.master // "")] | @tsv),
      (.l[] | .ifname as $dev | (.addr_info // [])[] | select(.scope != "host" and .scope != "link") | ["A", $ns, $dev, .local, (.prefixlen | tostring)] | @tsv),
      (.r4[] | ["R", $ns, "4", .dst, (.gateway // ""), (.protocol // "" | tostring), (.dev // "")] | @tsv),
      (.r6[] | ["R", $ns, "6", .dst, (.gateway // ""), (.protocol // "" | tostring), (.dev // "")] | @tsv),
      ((.t.nftables // [])[] | select(.table.family == "inet") | .table.name | select(test("^cdktf_netns_[0-9a-f]+_[0-9a-f]+$")) | ["X", $ns, .] | @tsv),
      (["G", $ns] | @tsv)' "$W/facts.json" > "$W/facts.raw" || die "cannot read the kernel facts (jq failed)"
  grep -v '^X	' "$W/facts.raw" || true
  grep '^X	' "$W/facts.raw" | while IFS='	' read -r _x _n _tb; do
    _c=$(in_ns "$_n" nft list table inet "$_tb" | sed -n 's/^	comment "\(.*\)"$/\1/p' | head -n 1 | tr -c 'A-Za-z0-9_.:/@~,+=\n-' '?')
    printf 'F\t%s\t%s\t%s\n' "$_n" "$_tb" "$_c"
  done
}

# host objects of the lab's other deployments, and of other labs, on this machine (their
# records): `O token owner line`, so a host route another deployment made is refused by name
other_records() {
  printf '#\n'
  set +f
  for _r in "$STATE"/labs/*/*; do
    if [ "$_r" = "$REC" ] || [ ! -d "$_r" ]; then continue; fi
    _t=${_r##*/}
    case $_t in *[!0-9a-f]*) continue ;; esac
    for _f in "$_r/applied" "$_r/journal"; do
      [ -f "$_f" ] || continue
      _ow=$(header owner "$_f")
      case $_ow in cdktf-netns:*/) ;; *) continue ;; esac
      grep '^route - ' "$_f" | awk -v t="$_t" -v o="$_ow" '/^[A-Za-z0-9_.:\/ -]*$/ { print "O\t" t "\t" o "\t" $0 }' || true
    done
  done
  set -f
}

# ---- running batches, and saying what failed in words
explain() { # BATCH WHO ERR
  _line=$(sed -n 's/^Command failed .*:\([0-9]*\)$/\1/p' "$3" | head -n 1)
  # what this run created before the failing line stays journaled; the rest (the failing
  # create among it: that name may well be someone else's) is not this lab's to adopt later
  case $1 in *.nft) _line=$(sed -n 's/^[^:]*:\([0-9][0-9]*\):[0-9-]*: Error: .*/\1/p' "$3" | head -n 1) ;; esac
  case $1 in *.ip)
    if [ -n "$_line" ] && [ -f "${1%.ip}.jl" ]; then head -n $((_line - 1)) "${1%.ip}.jl" | grep . >> "$W/done.jl" || true; fi
    prune_journal ;;
  esac
  _what=$( [ -n "$_line" ] && sed -n "${_line}p" "$2" || echo "apply a batch")
  _err=$(grep -v '^Command failed' "$3" | grep -v '^ *^*$' | head -n 3 | tr '\n' ' ')
  case "$_what:$_err" in
    *"VLAN interface"*"Unknown device type"*|*"VLAN interface"*"not supported"*|*"VLAN interface"*"Not supported"*)
      die "this kernel has no 802.1Q VLAN support (module 8021q missing or not loadable: try 'modprobe 8021q'), so the lab cannot $_what. Kernel said: $_err" ;;
    *impairment*"qdisc kind is unknown"*|*impairment*"netem"*"not supported"*)
      die "this kernel has no netem (module sch_netem missing or not loadable: try 'modprobe sch_netem'), so the lab cannot $_what: a delay, jitter or loss needs it (a rate alone uses tbf). Kernel said: $_err" ;;
    *nftables*"Operation not supported"*|*nftables*"Protocol not supported"*)
      die "this kernel has no nftables support for what the lab asks (modules nf_tables, nft_chain_nat, nft_masq, nft_ct: try 'modprobe nf_tables'), so the lab cannot $_what. Kernel said: $_err" ;;
    *vlan_filtering*)
      die "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), so the lab cannot set $_what. Kernel said: $_err" ;;
    *"add route"*)
      die "cannot $_what: $_err(is the gateway on a connected subnet of that namespace, with its interface up?)" ;;
    *) die "cannot $_what: $_err" ;;
  esac
}

in_ns() { # NS CMD... ("-" = the host namespace)
  _ns=$1; shift
  if [ "$_ns" = - ]; then "$@"; else nsenter "--net=/run/netns/$_ns" "$@"; fi
}

# A batch that ran through: what it created is journaled for good (its .jl file is read only if
# a later batch fails: no process per namespace on the way)
batch_done() { printf '%s\n' "$1" >> "$W/done.batches"; }

# After a failed batch: the journal keeps what earlier runs left and what this run made.
prune_journal() {
  [ "${_mode:-}" != destroy ] || return 0
  { grep '^#\|^kind ' "$W/new" || true; grep -v '^#\|^kind ' "$PREV_JOURNAL" || true
    if [ -f "$W/done.batches" ]; then while read -r _b; do if [ -f "$_b" ]; then grep . "$_b" || true; fi; done < "$W/done.batches"; fi
    cat "$W/done.jl" 2>/dev/null || true; } > "$REC/journal.new"
  mv "$REC/journal.new" "$REC/journal"
}

run_pass() { # NS FILE-PREFIX
  if [ -s "$2.sys" ]; then in_ns "$1" sh "$HERE/sysctl.sh" pre "$2.sys" "$REC/nsorig" "$2.sysdone" || die "cannot set the sysctls of $( [ "$1" = - ] && echo 'the host namespace' || echo "namespace '$1'")"; fi
  # the namespace's nftables table (one transaction), before its links come up
  if [ -s "$2.nft" ]; then in_ns "$1" nft -f "$2.nft" 2>"$2.err" || explain "$2.nft" "$2.nftwho" "$2.err"; fi
  if [ -s "$2.ip" ]; then in_ns "$1" ip -batch "$2.ip" 2>"$2.err" || explain "$2.ip" "$2.ipwho" "$2.err"; batch_done "$2.jl"; fi
  # bridge VLANs: dropping a VLAN a port does not have (the default VLAN 1, on a re-run) is fine
  if [ -s "$2.br" ] && ! in_ns "$1" bridge -force -batch "$2.br" 2>"$2.err"; then
    _bad=$(sed -n 's/^Command failed .*:\([0-9]*\)$/\1/p' "$2.err" | while read -r _l; do
      sed -n "${_l}p" "$2.br" | grep -qv '^vlan del ' && echo "$_l"; done | head -n 1)
    if [ -n "$_bad" ]; then
      printf 'Command failed %s:%s\n' "$2.br" "$_bad" > "$2.err2"; grep -v '^Command failed' "$2.err" >> "$2.err2" || true
      explain "$2.br" "$2.brwho" "$2.err2"
    fi
  fi
  # link impairments (qdiscs) on the interfaces the batches above made or kept
  if [ -s "$2.tc" ]; then in_ns "$1" tc -batch "$2.tc" 2>"$2.err" || explain "$2.tc" "$2.tcwho" "$2.err"; fi
  if [ -s "$2.sys" ]; then in_ns "$1" sh "$HERE/sysctl.sh" post "$2.sys" "$REC/nsorig" "$2.sysdone" || die "cannot set the sysctls of $( [ "$1" = - ] && echo 'the host namespace' || echo "namespace '$1'")"; fi
}

# veth ends left behind by deleted namespaces vanish in the background: wait until they are gone
# (a name is only free, and the lab only destroyed, once they are)
wait_gone() {
  [ -s "$W/waitgone" ] || return 0
  _i=0
  while :; do
    _left=$(cut -d' ' -f1 "$W/waitgone" | sort -u | while read -r _n; do
      in_ns "$_n" ip -o link show | awk -F': ' -v ns="$_n" '{ sub(/@.*/, "", $2); print ns " " $2 }'; done | grep -Fxf "$W/waitgone" || true)
    [ -z "$_left" ] && return 0
    [ "$_i" -lt 600 ] || die "interfaces still there 60 s after their namespaces were deleted: $(printf '%s' "$_left" | tr '\n' ' ' | cut -c1-200)"
    sleep 0.1; _i=$((_i + 1))
  done
}

run_del() { # NS FILE-PREFIX: best effort, objects may already be gone
  if [ -s "$2.brdel" ]; then in_ns "$1" bridge -force -batch "$2.brdel" >/dev/null 2>&1 || true; fi
  if [ -s "$2.tcdel" ]; then in_ns "$1" tc -force -batch "$2.tcdel" >/dev/null 2>&1 || true; fi
  if [ -s "$2.nftdel" ]; then in_ns "$1" nft -f "$2.nftdel" >/dev/null 2>&1 || true; fi
  if [ -s "$2.del" ]; then in_ns "$1" ip -force -batch "$2.del" >/dev/null 2>&1 || true; fi
}

# ---- host sysctls: one record per key ($STATE/sysctl/KEY: the original value, and one
# owner file per deployment holding the value it set); the original returns with the last
# owner. Under one lock for every lab, held from the check to the end of the run.

owner_of_token() { # TOKEN: the lab owner a record names
  set +f
  for _r in "$STATE"/labs/*/"$1"; do
    if [ -f "$_r/applied" ]; then header owner "$_r/applied"; set -f; return 0; fi
    if [ -f "$_r/journal" ]; then header owner "$_r/journal"; set -f; return 0; fi
  done
  set -f
  echo "an unknown lab"
}

sysctl_check() {
  [ -s "$W/hostsysctl" ] || return 0
  if command -v flock >/dev/null 2>&1; then exec 8<"$STATE/sysctl"; flock 8; fi
  while read -r _op _key _p _val; do
    [ "$_op" != D ] || continue
    _d=$STATE/sysctl/$_key
    [ -d "$_d" ] || continue
    set +f
    for _o in "$_d"/owner.*; do
      [ -f "$_o" ] || continue
      _t=${_o##*/owner.}
      [ "$_t" != "$DEP" ] || continue
      _v=$(head -n 1 "$_o")
      if [ "$_v" != "$_val" ]; then
        set -f
        die "host sysctl $_key: this lab ($OWNER, deployment $DEP) sets it to $_val, but $(owner_of_token "$_t") (deployment $_t) holds it at $_v. Two labs cannot hold one host setting at different values: make them agree, or destroy the other lab first"
      fi
    done
    set -f
  done < "$W/hostsysctl"
}

host_sysctls() {
  [ -s "$W/hostsysctl" ] || return 0
  while read -r _op _key _p _val; do
    _d=$STATE/sysctl/$_key
    [ ! -L "$_d" ] || die "host sysctl record $_d is a symbolic link: refusing it"
    if [ "$_op" = D ]; then
      rm -f "$_d/owner.$DEP"
      if [ -d "$_d" ] && [ -z "$(find "$_d" -maxdepth 1 -name 'owner.*' -print)" ]; then
        if [ -f "$_d/orig" ]; then head -n 1 "$_d/orig" > "$_p"; printf 'restored host sysctl %s\n' "$_key" >> "$W/log"; fi
        rm -rf "$_d"
      fi
    else
      [ -w "$_p" ] || die "host sysctl $_key ($_p) does not exist or is not writable"
      mkdir -p "$_d"
      if [ ! -f "$_d/orig" ]; then cat "$_p" > "$_d/orig.new"; mv "$_d/orig.new" "$_d/orig"; fi
      printf '%s\n' "$_val" > "$_d/owner.$DEP"
      printf '%s\n' "$_val" > "$_p"
    fi
  done < "$W/hostsysctl"
}

# ---- the reconcile: plan, read the kernel, generate, run, record
reconcile() { # MODE OLD NEW
  _mode=$1
  { printf '#\n'; awk -v MODE="$_mode" -f "$HERE/lib.awk" -f "$HERE/plan.awk" "$3" "$2" "$3" "$PREV_JOURNAL"; } > "$W/ops" ||
    die "the lab's record in $REC is damaged (see above): refusing to act on it"
  tick plan
  [ "$_mode" = plan ] && return 0
  ns_facts > "$W/facts"
  tick namespaces
  # read the namespaces the operations touch (those that exist); of a namespace going away, only its lo
  _need=$(awk -F '\t' 'FNR == NR { if ($1 == "N" && $4 == "nsfs") ino[$2] = $3; next }
    $1 == "D" && $2 == "ns" { split($0, g, " "); gone[g[3]] = 1 }
    $1 == "T" { t[++n] = $2 }
    END { for (i = 1; i <= n; i++) if (t[i] in ino) { print t[i] ((t[i] in gone) ? "@lo" : ""); seen[t[i]] = 1 }
      # repair also looks for namespaces carrying our marker that nothing declares
      if (MODE == "repair") for (x in ino) if (!(x in seen)) print x "@lo" }' MODE="$_mode" "$W/facts" FS=' ' "$W/ops")
  # nftables tables: read where a rule changes (repair: there and in the host namespace, to sweep
  # ours where nothing is declared any more; the tables of namespaces the lab deletes go with them)
  NFTNS=$(awk '$1 == "D" && $2 == "ns" { gone[$3] = 1 } $1 ~ /^[CUD]$/ && $2 == "nft" { n[$3] = 1 }
    END { for (x in n) if (!(x in gone)) print x }' "$W/ops" | tr '\n' ' ')
  if [ -n "$NFTNS" ] || { [ "$_mode" = repair ] && command -v nft >/dev/null 2>&1; }; then
    need nft "nftables (Debian's nftables package) for Firewall, Masquerade and PortForward"
    if [ "$_mode" = repair ]; then NFTNS="- $NFTNS"; fi
  fi
  # (namespaces that exist where only rules change: their tables alone)
  if [ -n "$NFTNS" ]; then
    # shellcheck disable=SC2086
    _need="$_need $(printf '%s\n' $_need | awk -F '\t' -v list="$NFTNS" 'FILENAME != "-" { if ($1 == "N" && $4 == "nsfs") ok[$2] = 1; next }
      { sub(/@lo$/, ""); seen[$0] = 1 }
      END { n = split(list, a, " "); for (i = 1; i <= n; i++) if ((a[i] in ok) && !(a[i] in seen)) print a[i] "@nft" }' "$W/facts" -)"
  fi
  # shellcheck disable=SC2086
  link_facts $_need > "$W/facts.tsv"
  cat "$W/facts.tsv" >> "$W/facts"
  # (other deployments' host routes matter only when this run touches a host route)
  if grep -q '^[CUD] route - ' "$W/ops"; then other_records >> "$W/facts"; fi
  tick "read $(printf '%s\n' "$_need" | grep -c . || true) namespace(s)"
  : > "$W/errors"
  # the generator: shared helpers, one module per kind, the main loop
  _new=$3; _old=$2
  set -- -f "$HERE/lib.awk"
  set +f
  for _k in "$HERE"/../kinds/*.awk; do set -- "$@" -f "$_k"; done
  set -f
  awk -F '\t' -v W="$W" -v MODE="$_mode" -v OWNER="$OWNER" -v LAB="$LAB" -v DEP="$DEP" -v ALTDEP="$ALTDEP" "$@" -f "$HERE/gen.awk" \
    "$_new" "$W/facts" "$PREV_JOURNAL" "$_old" "$W/ops" "$W/ops" > "$W/nscmds" || {
      [ -s "$W/errors" ] && { cat "$W/errors" >&2; exit 1; }
      die "internal: the generator failed"; }
  # split the per-namespace commands into batch files: W/n/<ns>.<type> (+ .<type>who: what each
  # line does; and for ip batches .jl: the journal line of the object a line creates, or nothing)
  sort -t "$(printf '\t')" -k1,1 -k2,2n -s "$W/nscmds" | awk -F '\t' -v D="$W/n" '
    { f = D "/" $1 "." $3; w = f "who"
      if ($1 != cur) { for (x in open) close(x); delete open; cur = $1; print $1 > (D "/../passes") }
      print $4 > f; print $5 > w; open[f] = 1; open[w] = 1
      if ($3 == "ip") { j = D "/" $1 ".jl"; print $6 > j; open[j] = 1 } }'
  [ -f "$W/passes" ] || : > "$W/passes"
  # host settings another lab holds at another value: refused before anything is touched
  sysctl_check
  # journal first: a run killed from here on leaves a record of what it may have made (and nothing else)
  if [ "$_mode" != destroy ]; then
    # (with the data's header and kinds table: a destroy may have only the journal to go by)
    { grep '^#\|^kind ' "$_new" || true; grep -v '^#\|^kind ' "$PREV_JOURNAL" || true; cat "$W/creating" 2>/dev/null || true; } > "$REC/journal.new"
    mv "$REC/journal.new" "$REC/journal"
  fi
  tick generate
  # 1. deletions: inside the namespaces that stay, then namespaces, then host settings
  while read -r _n; do run_del "$_n" "$W/n/$_n"; done < "$W/passes"
  if [ -s "$W/root.del" ]; then ip -force -batch "$W/root.del" >/dev/null 2>&1 || true; fi
  wait_gone
  tick deletions
  # 2. creations: namespaces and veth pairs from the root namespace, then each namespace's own batch
  if [ -s "$W/root.ip" ]; then ip -batch "$W/root.ip" 2>"$W/root.err" || explain "$W/root.ip" "$W/root.who" "$W/root.err"; batch_done "$W/root.jl"; fi
  # the inodes of the namespaces just made, at once: a journaled namespace is ours only with its inode
  if [ -s "$W/newns" ]; then
    sed 's|^|/run/netns/|' "$W/newns" | xargs stat -L -c '%n %d:%i' 2>/dev/null | sed 's|^/run/netns/||' > "$W/newino" || true
    { if [ -f "$REC/nsino" ]; then grep -v -F -w -f "$W/newns" "$REC/nsino" || true; fi; cat "$W/newino"; } > "$REC/nsino.new"
    mv "$REC/nsino.new" "$REC/nsino"
  fi
  tick "root batch"
  while read -r _n; do run_pass "$_n" "$W/n/$_n"; done < "$W/passes"
  tick "namespace batches"
  host_sysctls
}

record() { # NEW: what is applied now, with the inodes of its namespaces
  cp "$1" "$REC/applied.new" && mv "$REC/applied.new" "$REC/applied"
  awk '$1 == "ns" { print "/run/netns/" $2 }' "$1" > "$W/nspaths"
  if [ -s "$W/nspaths" ]; then
    xargs stat -L -c '%n %d:%i' < "$W/nspaths" 2>/dev/null | sed 's|^/run/netns/||' > "$REC/nsino.new" || true
    mv "$REC/nsino.new" "$REC/nsino"
  else rm -f "$REC/nsino"; fi
  # sysctl originals of namespaces that are gone
  set +f
  for _o in "$REC"/nsorig/*; do
    [ -e "$_o" ] || continue
    _n=${_o##*/}; _n=${_n%%@*}
    [ -e "/run/netns/$_n" ] || rm -f "$_o"
  done
  set -f
  rm -f "$REC/journal" "$REC/adopting"
}

summary() {
  _ms=$(( ($(now) - T0) / 1000000 ))
  if [ -s "$W/log" ]; then cat "$W/log"; fi
  _c=$(grep -c '^\(created\|added\|adopted\|set\|attached\)' "$W/log" 2>/dev/null || true)
  _u=$(grep -c '^\(updated\|changed\)' "$W/log" 2>/dev/null || true)
  _r=$(grep -c '^\(removed\|released\|restored\)' "$W/log" 2>/dev/null || true)
  printf 'cdktf-netns: %s: %s created, %s changed, %s removed (%s ms)\n' "$1" "${_c:-0}" "${_u:-0}" "${_r:-0}" "$_ms"
}

# old = what was applied last; PREV_JOURNAL = what an unfinished run set out to apply
old_set() {
  printf '#\n' > "$W/old"
  if [ -f "$REC/applied" ]; then grep -v '^#' "$REC/applied" >> "$W/old" || true; fi
  PREV_JOURNAL=$W/prevjournal
  printf '#\n' > "$PREV_JOURNAL"
  if [ -f "$REC/journal" ]; then cat "$REC/journal" >> "$PREV_JOURNAL"; fi
}

load_data() { # DATA [HASH]
  [ -f "$1" ] || die "data file $1 is missing: run 'cdktf synth' (or 'cdktf deploy') again"
  if [ -n "${2:-}" ]; then
    _have=$(sha256sum "$1" | cut -d' ' -f1)
    [ "$_have" = "$2" ] || die "data file $1 does not match the plan (sha256 $_have, the plan says $2): it was edited or re-synthesized without the plan; run 'cdktf synth' and apply again"
  fi
  OWNER=$(header owner "$1")
  case $OWNER in cdktf-netns:*/) ;; *) die "data file $1 has no valid owner line" ;; esac
}

apply_data() { # MODE DATA
  cp "$2" "$W/new"
  grep -q '^origin ' "$REC/info" || printf 'origin %s\n' "$(cd "$(dirname "$2")/.." && pwd)" >> "$REC/info"
  adopt_offered
  old_set
  # taking over a released deployment: every object is checked and re-marked (a repair)
  if [ -n "$ALTDEP" ]; then reconcile repair "$W/old" "$W/new"; else reconcile "$1" "$W/old" "$W/new"; fi
  record "$W/new"
  tick record
  summary "lab $OWNER"
}

# shellcheck source-path=SCRIPTDIR source=probe.sh
. "$HERE/probe.sh"

cmd=${1:-}
case $cmd in
  check)
    probe_check "${2:?usage: engine.sh check INTENTS HASH}" "${3:?usage: engine.sh check INTENTS HASH}"
    ;;
  apply|seal|repair|plan)
    data=${2:?usage: engine.sh $cmd DATA ...}
    case $cmd in
      apply|seal) load_data "$data" "${3:?usage: engine.sh $cmd DATA HASH DEPLOYMENT}"; dep=${4:?usage: engine.sh $cmd DATA HASH DEPLOYMENT} ;;
      *) load_data "$data"; dep=${3:?usage: engine.sh $cmd DATA DEPLOYMENT} ;;
    esac
    setup_lab "$(header state "$data")" "$(header lab "$data")" "$dep"
    if [ "$cmd" = plan ]; then cp "$data" "$W/new"; old_set; reconcile plan "$W/old" "$W/new"; sed -n 's/^\([DCU]\) /\1 /p' "$W/ops"; exit 0; fi
    if [ "$cmd" = seal ]; then
      # the apply before this step completed: nothing to do (and nothing to read)
      if [ -f "$REC/applied" ] && [ ! -f "$REC/journal" ] && [ ! -f "$REC/adopting" ] && cmp -s "$data" "$REC/applied"; then
        printf 'cdktf-netns: lab %s: complete\n' "$OWNER"; exit 0
      fi
      printf 'cdktf-netns: lab %s: the last apply did not finish: finishing it\n' "$OWNER"
      cmd=apply
    fi
    apply_data "$cmd" "$data"
    ;;
  destroy)
    setup_lab "${2:?usage: engine.sh destroy STATE_DIR LAB DEPLOYMENT}" "${3:?usage: engine.sh destroy STATE_DIR LAB DEPLOYMENT}" "${4:?usage: engine.sh destroy STATE_DIR LAB DEPLOYMENT}"
    old_set
    if [ ! -f "$REC/applied" ] && [ ! -f "$REC/journal" ]; then
      printf 'cdktf-netns: deployment %s: nothing recorded, nothing to remove\n' "$DEP"
      rm -rf "$REC"; rmdir "$STATE/labs/$LAB" 2>/dev/null || true; exit 0
    fi
    kinds=$REC/applied; [ -f "$kinds" ] || kinds=$REC/journal
    OWNER=$(header owner "$kinds")
    case $OWNER in cdktf-netns:*/) ;; *) die "the record $kinds has no valid owner line: refusing to act on it" ;; esac
    grep '^kind ' "$kinds" > "$W/kinds" || true
    grep '^#' "$kinds" > "$W/new" || true
    cat "$W/kinds" >> "$W/old"
    reconcile destroy "$W/old" "$W/kinds"
    summary "lab $OWNER (deployment $DEP) destroyed"
    # the record goes last (the work directory inside it with it)
    if [ -z "${CDKTF_NETNS_KEEP_WORK:-}" ]; then rm -rf "$REC"; rmdir "$STATE/labs/$LAB" 2>/dev/null || true; fi
    ;;
  adopt)
    setup_lab "${2:?usage: engine.sh adopt STATE_DIR LAB DEPLOYMENT}" "${3:?usage: engine.sh adopt STATE_DIR LAB DEPLOYMENT}" "${4:?usage: engine.sh adopt STATE_DIR LAB DEPLOYMENT}"
    : > "$REC/adoptable"
    printf 'cdktf-netns: deployment %s is offered for adoption: the next new deployment of this lab takes over its objects\n' "$DEP"
    ;;
  list)
    STATE=${2:?usage: engine.sh list STATE_DIR}
    check_state_path "$STATE"
    [ -d "$STATE/labs" ] || exit 0
    safe_dir "$STATE"
    set +f
    for _r in "$STATE"/labs/*/*; do
      [ -d "$_r" ] || continue
      _t=${_r##*/}; _l=${_r%/*}; _l=${_l##*/}
      case $_t$_l in *[!0-9a-f]*) continue ;; esac
      _f=$_r/applied; [ -f "$_f" ] || _f=$_r/journal
      _ow=-; if [ -f "$_f" ]; then _ow=$(header owner "$_f"); fi
      _st=applied
      if [ -f "$_r/adoptable" ]; then _st=offered
      elif [ -f "$_r/journal" ]; then _st=unfinished
      elif [ ! -f "$_r/applied" ]; then _st=empty; fi
      _n=$( [ -f "$_f" ] && grep -c '^ns ' "$_f" || echo 0)
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$_l" "$_t" "$_st" "$_ow" "$_n" "$(info "$_r" since || true)" "$(info "$_r" origin || true)"
    done
    set -f
    ;;
  *) die "usage: engine.sh apply DATA HASH DEPLOYMENT | seal DATA HASH DEPLOYMENT | repair DATA DEPLOYMENT | plan DATA DEPLOYMENT | destroy STATE_DIR LAB DEPLOYMENT | adopt STATE_DIR LAB DEPLOYMENT | list STATE_DIR | check INTENTS HASH" ;;
esac
