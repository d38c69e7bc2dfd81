#!/bin/sh
# Set or restore sysctls of the namespace this runs in (engine.sh runs it
# through `nsenter --net`: /proc/sys/net is the opener's namespace's).
#   sh sysctl.sh FILE ORIGDIR
# FILE lines: `set PATH ID VALUE` (saves the value it had first, as ORIGDIR/ID)
# or `restore PATH ID`.
set -eu
while read -r op path id value; do
  case $op in
    set)
      [ -e "$2/$id" ] || cat "$path" > "$2/$id"
      printf '%s\n' "$value" > "$path" ;;
    restore)
      if [ -f "$2/$id" ]; then cat "$2/$id" > "$path"; rm -f "$2/$id"; fi ;;
    *) printf 'cdktf-netns: unknown sysctl operation %s\n' "$op" >&2; exit 1 ;;
  esac
done < "$1"
