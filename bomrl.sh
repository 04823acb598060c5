#!/usr/bin/env bash
# Runs the bomrl command line on a fresh machine: installs native dependencies if missing, builds once
# (Release), then runs bomrl with the given arguments. Example: ./bomrl.sh reproduce frozenlake --out runs/frozenlake
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
bash "$root/scripts/install-deps.sh"
dotnet build "$root/src/BoMrl.Cli/BoMrl.Cli.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
exec dotnet "$root/src/BoMrl.Cli/bin/Release/net10.0/BoMrl.Cli.dll" "$@"
