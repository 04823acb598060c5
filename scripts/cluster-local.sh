#!/usr/bin/env bash
# Starts a BO-MRL cluster on this machine for trying `bomrl train --cluster`: a redis-server on 127.0.0.1 (membership only,
# no persistence, its files in a temp folder) and N `bomrl worker` processes on loopback, each on its own silo and gateway
# port and working on T tasks at once. Prints the address to pass to `bomrl train --cluster`, then waits; Ctrl-C (or
# SIGTERM) stops the workers and redis-server. docs/distributed.md has the set-up over several machines.
#   usage: scripts/cluster-local.sh N [--threads T] [--redis-port P]     (defaults: T = 1, P = 6379)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
usage() { echo "usage: scripts/cluster-local.sh N [--threads T] [--redis-port P]" >&2; exit 2; }
[ $# -ge 1 ] || usage
n="$1"; shift
threads=1; port=6379
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) [ $# -ge 2 ] || usage; threads="$2"; shift 2 ;;
    --redis-port) [ $# -ge 2 ] || usage; port="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "cluster-local.sh: N must be a positive number of workers (got '$n')" >&2; exit 2; }
[[ "$threads" =~ ^[0-9]+$ ]] || { echo "cluster-local.sh: --threads must be 0 (all cores) or positive (got '$threads')" >&2; exit 2; }
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || { echo "cluster-local.sh: --redis-port must be a TCP port (got '$port')" >&2; exit 2; }

bash "$root/scripts/install-deps.sh"
"$root/bomrl.sh" --help >/dev/null # builds the CLI when its sources changed
dll="$root/src/BoMrl.Cli/bin/Release/net10.0/BoMrl.Cli.dll"
dir="$(mktemp -d -t bomrl-cluster-XXXXXX)"
pids=()
stop() {
  trap - INT TERM EXIT
  # Workers first (they leave the membership in Redis), redis-server last.
  for ((j = ${#pids[@]} - 1; j >= 1; j--)); do kill -TERM "${pids[j]}" 2>/dev/null || true; done
  for ((j = ${#pids[@]} - 1; j >= 1; j--)); do wait "${pids[j]}" 2>/dev/null || true; done
  [ ${#pids[@]} -eq 0 ] || { kill -TERM "${pids[0]}" 2>/dev/null || true; wait "${pids[0]}" 2>/dev/null || true; }
  rm -rf "$dir"
  echo "cluster-local.sh: stopped"
}
trap stop INT TERM EXIT

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "cluster-local.sh: port $port is taken (another redis-server?); pass --redis-port" >&2
  exit 2
fi
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
address="redis://127.0.0.1:$port"
for i in $(seq "$n"); do
  dotnet "$dll" worker --cluster "$address" --bind 127.0.0.1 --port $((11110 + i)) --gateway-port $((30000 + i)) --threads "$threads" \
    >"$dir/worker-$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq "$n"); do
  for _ in $(seq 600); do grep -q '^worker ready' "$dir/worker-$i.log" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q '^worker ready' "$dir/worker-$i.log"; then
    echo "cluster-local.sh: worker $i did not start:" >&2
    cat "$dir/worker-$i.log" >&2
    exit 1
  fi
done
echo "cluster-local.sh: redis-server and $n worker(s) on 127.0.0.1 ($threads task(s) at once each); logs in $dir"
echo "  train on it: ./bomrl.sh train --config configs/navigation2d-bomrl-kl2.json --out runs/nav --cluster $address"
echo "  Ctrl-C stops the cluster"
wait
