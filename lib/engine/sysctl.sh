#!/bin/sh
# Set or restore sysctls of the namespace this runs in (engine.sh runs it
# through `nsenter --net`: /proc/sys/net is the opener's namespace's).
#   sh sysctl.sh pre|post FILE ORIGDIR DONE
# FILE lines: `set PATH ID VALUE` (saves the value it had first, as ORIGDIR/ID)
# or `restore PATH ID`. `pre` runs before the namespace's links are made and
# sets what exists already (forwarding is on before any interface comes up);
# `post` sets the rest (keys of interfaces made in between) and fails on a
# key that still does not exist. DONE (in the run's work directory) lists what
# `pre` did.
set -eu
phase=$1; done_list=$4
[ -e "$done_list" ] || : > "$done_list"
while read -r op path id value; do
  if [ "$phase" = pre ] && [ ! -e "$path" ]; then continue; fi
  if [ "$phase" = post ] && grep -qxF -- "$id" "$done_list"; then continue; fi
  case $op in
    set)
      [ -e "$path" ] || { printf 'cdktf-netns: sysctl %s does not exist in this namespace\n' "$path" >&2; exit 1; }
      [ -e "$3/$id" ] || cat "$path" > "$3/$id"
      printf '%s\n' "$value" > "$path"
      if [ "$phase" = pre ]; then printf '%s\n' "$id" >> "$done_list"; fi ;;
    restore)
      if [ -f "$3/$id" ] && [ -e "$path" ]; then cat "$3/$id" > "$path"; fi
      rm -f "$3/$id"
      if [ "$phase" = pre ]; then printf '%s\n' "$id" >> "$done_list"; fi ;;
    *) printf 'cdktf-netns: unknown sysctl operation %s\n' "$op" >&2; exit 1 ;;
  esac
done < "$2"
