#!/usr/bin/env bash
# Runs the bomrl command line on a fresh machine: installs native dependencies if missing (silent when present),
# builds the CLI (Release) only when a source, project or build-settings file is newer than the built program (silent on
# success; the compiler errors on failure), then runs bomrl with the given arguments, so each error it reports is one
# line. Example: ./bomrl.sh reproduce frozenlake --out runs/frozenlake
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
bash "$root/scripts/install-deps.sh"
dll="$root/src/BoMrl.Cli/bin/Release/net10.0/BoMrl.Cli.dll"
stale() {
  [ -e "$dll" ] || return 0
  [ -n "$(find "$root/src" "$root/Directory.Build.props" "$root/Directory.Packages.props" "$root/global.json" "$root/.editorconfig" \
    \( -path '*/bin' -o -path '*/obj' \) -prune -o -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' -o -name '.editorconfig' \) \
    -newer "$dll" -print -quit 2>/dev/null)" ]
}
if stale; then
  [ -t 2 ] && echo "bomrl.sh: building the CLI (Release; the first build takes 1-2 minutes)..." >&2
  log="$(mktemp)"
  if ! dotnet build "$root/src/BoMrl.Cli/BoMrl.Cli.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1; then
    echo "bomrl.sh: the build failed:" >&2
    grep -E ': error ' "$log" | sed -E 's/ \[[^]]*\]$//' | sort -u >&2 || cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  touch "$dll" # an up-to-date build may leave the dll's time alone; the check above compares against it
fi
# Same bits on every x64 machine for the MuJoCo tasks too: libmujoco calls glibc's exp, log, pow, sin, cos, atan2, …,
# whose FMA code paths round differently from the SSE2 ones; this tunable makes glibc take the SSE2 paths on every CPU
# (docs/design.md §9). A GLIBC_TUNABLES that already sets hwcaps is left as it is.
case "${GLIBC_TUNABLES:-}" in
  *glibc.cpu.hwcaps=*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.cpu.hwcaps=-FMA,-FMA4" ;;
esac
exec dotnet "$dll" "$@"
