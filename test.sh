#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs native dependencies if missing, builds, tests.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh
dotnet test BoMrl.slnx -c Release "$@"
