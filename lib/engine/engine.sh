#!/bin/sh
# cdktf-netns engine: bring the kernel in line with a lab's data file.
#
#   sh engine.sh apply DATA HASH        reconcile (the Lab resource's create step)
#   sh engine.sh repair DATA            the same, checking every declared object
#   sh engine.sh plan DATA              print the operations apply would run
#   sh engine.sh destroy STATE_DIR LAB  remove everything the lab's record lists
#
# DATA is written by the library at synth time (one object a line, see
# lib/engine/lab.ts and lib/kinds/); HASH is its sha256 from the plan, so a stale or edited
# data file is refused. The lab's record (what was applied last, and a journal
# of what an unfinished run may have created) lives in STATE_DIR/labs/LAB,
# root-only. Work is done in batches: one `ip -batch` from the root namespace
# (namespaces, veth pairs), then one per namespace that changes, through
# nsenter; only what changed is touched.
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

setup_lab() { # STATE_DIR LAB
  STATE=$1; LAB=$2
  case $STATE in /*) ;; *) die "state directory '$STATE' is not an absolute path" ;; esac
  case $STATE in *..*|*[!A-Za-z0-9_./-]*) die "state directory '$STATE' has characters outside A-Z a-z 0-9 _ . / -" ;; esac
  case $LAB in *[!0-9a-f]*|'') die "lab id '$LAB' is not a hexadecimal id" ;; esac
  safe_dir "$STATE"
  REC=$STATE/labs/$LAB
  mkdir -p "$STATE/labs" "$REC" "$REC/nsorig" "$STATE/sysctl"
  # one run at a time per lab (a lock on the record directory itself: no lock file to leave behind)
  if command -v flock >/dev/null 2>&1; then exec 9<"$REC"; flock 9; fi
  # the work directory of a run that was killed: nobody else can be using it now
  set +f; rm -rf "$REC"/work.*; set -f
  W=$(mktemp -d "$REC/work.XXXXXXXX")
  [ -n "${CDKTF_NETNS_KEEP_WORK:-}" ] || trap 'rm -rf "$W"' EXIT
  trap 'exit 1' INT TERM HUP PIPE
  mkdir "$W/n"
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

# links and routes of the host and of the given namespaces (read once each);
# a namespace given as NAME@lo only has its lo read (it is going away: only its marker matters)
link_facts() {
  : > "$W/facts.json"
  for _n in - "$@"; do
    case $_n in
      *@lo) _n=${_n%@lo}
        # shellcheck disable=SC2016
        nsenter "--net=/run/netns/$_n" sh -c 'printf "{\"ns\":\"%s\",\"r4\":[],\"r6\":[],\"l\":" "$1"; ip -j -d addr show dev lo; printf "}\n"' sh "$_n" >> "$W/facts.json" ||
          die "cannot read namespace '$_n'" ;;
      *)
        if [ "$_n" = - ]; then _pre=""; else _pre="nsenter --net=/run/netns/$_n"; fi
        # shellcheck disable=SC2016
        $_pre sh -c 'printf "{\"ns\":\"%s\",\"l\":" "$1"; ip -j -d addr show; printf ",\"r4\":"; ip -j -4 route show table main; printf ",\"r6\":"; ip -j -6 route show table main; printf "}\n"' sh "$_n" >> "$W/facts.json" ||
          die "cannot read the interfaces of $( [ "$_n" = - ] && echo 'the host namespace' || echo "namespace '$_n'")" ;;
    esac
  done
  jq -r '.ns as $ns
    | (.l[] | ["L", $ns, .ifname, (.ifalias // ""), (.linkinfo.info_kind // ""), (.master // "")] | @tsv),
      (.l[] | .ifname as $dev | (.addr_info // [])[] | select(.scope != "host" and .scope != "link") | ["A", $ns, $dev, .local, (.prefixlen | tostring)] | @tsv),
      (.r4[] | ["R", $ns, "4", .dst, (.gateway // ""), (.protocol // "" | tostring)] | @tsv),
      (.r6[] | ["R", $ns, "6", .dst, (.gateway // ""), (.protocol // "" | tostring)] | @tsv),
      (["G", $ns] | @tsv)' "$W/facts.json" || die "cannot read the kernel facts (jq failed)"
}

# ---- running batches, and saying what failed in words
explain() { # BATCH WHO ERR
  _line=$(sed -n 's/^Command failed .*:\([0-9]*\)$/\1/p' "$3" | head -n 1)
  _what=$( [ -n "$_line" ] && sed -n "${_line}p" "$2" || echo "apply a batch")
  _err=$(grep -v '^Command failed' "$3" | head -n 3 | tr '\n' ' ')
  case "$_what:$_err" in
    *"VLAN interface"*"Unknown device type"*|*"VLAN interface"*"not supported"*|*"VLAN interface"*"Not supported"*)
      die "this kernel has no 802.1Q VLAN support (module 8021q missing or not loadable: try 'modprobe 8021q'), so the lab cannot $_what. Kernel said: $_err" ;;
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

run_pass() { # NS FILE-PREFIX
  if [ -s "$2.sys" ]; then in_ns "$1" sh "$HERE/sysctl.sh" pre "$2.sys" "$REC/nsorig" "$2.sysdone" || die "cannot set the sysctls of $( [ "$1" = - ] && echo 'the host namespace' || echo "namespace '$1'")"; fi
  if [ -s "$2.ip" ]; then in_ns "$1" ip -batch "$2.ip" 2>"$2.err" || explain "$2.ip" "$2.ipwho" "$2.err"; fi
  # bridge VLANs: dropping a VLAN a port does not have (the default VLAN 1, on a re-run) is fine
  if [ -s "$2.br" ] && ! in_ns "$1" bridge -force -batch "$2.br" 2>"$2.err"; then
    _bad=$(sed -n 's/^Command failed .*:\([0-9]*\)$/\1/p' "$2.err" | while read -r _l; do
      sed -n "${_l}p" "$2.br" | grep -qv '^vlan del ' && echo "$_l"; done | head -n 1)
    if [ -n "$_bad" ]; then
      printf 'Command failed %s:%s\n' "$2.br" "$_bad" > "$2.err2"; grep -v '^Command failed' "$2.err" >> "$2.err2" || true
      explain "$2.br" "$2.brwho" "$2.err2"
    fi
  fi
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
  if [ -s "$2.del" ]; then in_ns "$1" ip -force -batch "$2.del" >/dev/null 2>&1 || true; fi
}

# host sysctls: one record per key, one owner file per lab; the original value returns with the last owner
host_sysctls() {
  [ -s "$W/hostsysctl" ] || return 0
  mkdir -p "$STATE/sysctl"
  if command -v flock >/dev/null 2>&1; then exec 8<"$STATE/sysctl"; flock 8; fi
  while read -r _op _key _p _val; do
    _d=$STATE/sysctl/$_key
    if [ "$_op" = D ]; then
      rm -f "$_d/owner.$LAB"
      if [ -d "$_d" ] && [ -z "$(find "$_d" -maxdepth 1 -name 'owner.*' -print)" ]; then
        if [ -f "$_d/orig" ]; then cat "$_d/orig" > "$_p"; fi
        rm -rf "$_d"
      fi
    else
      [ -w "$_p" ] || die "host sysctl $_key ($_p) does not exist or is not writable"
      mkdir -p "$_d"
      if [ ! -f "$_d/orig" ]; then cat "$_p" > "$_d/orig.new" && mv "$_d/orig.new" "$_d/orig"; fi
      printf '%s\n' "$_val" > "$_d/owner.$LAB"
      printf '%s\n' "$_val" > "$_p"
    fi
  done < "$W/hostsysctl"
}

# ---- the reconcile: plan, read the kernel, generate, run, record
reconcile() { # MODE OLD NEW
  _mode=$1
  { printf '#\n'; awk -v MODE="$_mode" -f "$HERE/lib.awk" -f "$HERE/plan.awk" "$3" "$2" "$3" "$PREV_JOURNAL"; } > "$W/ops"
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
  # shellcheck disable=SC2086
  link_facts $_need > "$W/facts.tsv"
  cat "$W/facts.tsv" >> "$W/facts"
  tick "read $(printf '%s\n' "$_need" | grep -c . || true) namespace(s)"
  : > "$W/errors"
  # the generator: shared helpers, one module per kind, the main loop
  _new=$3; _old=$2
  set -- -f "$HERE/lib.awk"
  set +f
  for _k in "$HERE"/../kinds/*.awk; do set -- "$@" -f "$_k"; done
  set -f
  awk -F '\t' -v W="$W" -v MODE="$_mode" -v OWNER="$OWNER" "$@" -f "$HERE/gen.awk" \
    "$_new" "$W/facts" "$PREV_JOURNAL" "$_old" "$W/ops" "$W/ops" > "$W/nscmds" || {
      [ -s "$W/errors" ] && { cat "$W/errors" >&2; exit 1; }
      die "internal: the generator failed"; }
  # split the per-namespace commands into batch files: W/n/<ns>.<type> (+ .<type>who: what each line does)
  sort -t "$(printf '\t')" -k1,1 -k2,2n -s "$W/nscmds" | awk -F '\t' -v D="$W/n" '
    { f = D "/" $1 "." $3; w = f "who"
      if ($1 != cur) { for (x in open) close(x); delete open; cur = $1; print $1 > (D "/../passes") }
      print $4 > f; print $5 > w; open[f] = 1; open[w] = 1 }'
  [ -f "$W/passes" ] || : > "$W/passes"
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
  if [ -s "$W/root.ip" ]; then ip -batch "$W/root.ip" 2>"$W/root.err" || explain "$W/root.ip" "$W/root.who" "$W/root.err"; fi
  tick "root batch"
  while read -r _n; do run_pass "$_n" "$W/n/$_n"; done < "$W/passes"
  tick "namespace batches"
  host_sysctls
}

record() { # NEW: what is applied now, with the inodes of its namespaces
  cp "$1" "$REC/applied.new" && mv "$REC/applied.new" "$REC/applied"
  awk '$1 == "ns" { print "/run/netns/" $2 }' "$1" > "$W/nspaths"
  if [ -s "$W/nspaths" ]; then
    # shellcheck disable=SC2046
    stat -L -c '%n %d:%i' $(cat "$W/nspaths") 2>/dev/null | sed 's|^/run/netns/||' > "$REC/nsino.new" || true
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
  rm -f "$REC/journal"
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

cmd=${1:-}
case $cmd in
  apply|repair|plan)
    data=${2:?usage: engine.sh $cmd DATA [HASH]}
    [ -f "$data" ] || die "data file $data is missing: run 'cdktf synth' (or 'cdktf deploy') again"
    if [ "$cmd" = apply ]; then
      want=${3:?usage: engine.sh apply DATA HASH}
      have=$(sha256sum "$data" | cut -d' ' -f1)
      [ "$have" = "$want" ] || die "data file $data does not match the plan (sha256 $have, the plan says $want): it was edited or re-synthesized without the plan; run 'cdktf synth' and apply again"
    fi
    setup_lab "$(header state "$data")" "$(header lab "$data")"
    OWNER=$(header owner "$data")
    case $OWNER in cdktf-netns:*/) ;; *) die "data file $data has no valid owner line" ;; esac
    cp "$data" "$W/new"
    old_set
    if [ "$cmd" = plan ]; then reconcile plan "$W/old" "$W/new"; sed -n 's/^\([DCU]\) /\1 /p' "$W/ops"; exit 0; fi
    reconcile "$cmd" "$W/old" "$W/new"
    record "$W/new"
    tick record
    summary "lab $(header owner "$data")"
    ;;
  destroy)
    setup_lab "${2:?usage: engine.sh destroy STATE_DIR LAB}" "${3:?usage: engine.sh destroy STATE_DIR LAB}"
    old_set
    if [ ! -f "$REC/applied" ] && [ ! -f "$REC/journal" ]; then
      printf 'cdktf-netns: lab %s: nothing recorded, nothing to remove\n' "$LAB"; rm -rf "$REC"; exit 0
    fi
    kinds=$REC/applied; [ -f "$kinds" ] || kinds=$REC/journal
    OWNER=$(header owner "$kinds")
    grep '^kind ' "$kinds" > "$W/kinds" || true
    cat "$W/kinds" >> "$W/old"
    reconcile destroy "$W/old" "$W/kinds"
    owner=$(header owner "$kinds")
    summary "lab ${owner:-$LAB} destroyed"
    # the record goes last (the work directory inside it with it)
    [ -n "${CDKTF_NETNS_KEEP_WORK:-}" ] || rm -rf "$REC"
    ;;
  *) die "usage: engine.sh apply DATA HASH | repair DATA | plan DATA | destroy STATE_DIR LAB" ;;
esac
