#!/usr/bin/env bash
# Installs what BO-MRL for .NET needs beyond the .NET SDK, from Debian's packages, only when missing:
#   libmujoco2.2.2 (the physics engine, loaded by the bindings), libmujoco-dev (headers, used by the
#   struct-layout probe test, compiled with gcc), libmujoco-samples (mujoco-testspeed, for the throughput comparison),
#   fonts-dejavu-core (text in the PNG plots), redis-server (the membership table of cluster runs, docs/distributed.md;
#   the cluster integration test starts its own on a free loopback port). Idempotent; quiet when everything is present.
set -euo pipefail
need=()
[ -e /usr/lib/x86_64-linux-gnu/libmujoco.so.2.2.2 ] || ldconfig -p 2>/dev/null | grep -q 'libmujoco.so.2.2.2' || need+=(libmujoco2.2.2)
[ -e /usr/include/mujoco/mujoco.h ] || need+=(libmujoco-dev)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v mujoco-testspeed >/dev/null 2>&1 || [ -e /usr/bin/testspeed ] || need+=(libmujoco-samples)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core fontconfig)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
