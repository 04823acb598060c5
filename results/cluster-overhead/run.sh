#!/usr/bin/env bash
# Cluster overhead on halfcheetah-vel at paper scale (40 tasks x 20 episodes x 200 steps), BO-MRL D2:
# local (2 threads) vs cluster with 2 workers x 1 thread vs 1 worker x 2 threads, 2 iterations each, interleaved.
set -u
cd "$(dirname "$0")"
B=$PWD/bin/BoMrl.Cli.dll
CFG=/work/wt/i13-exec/configs/halfcheetah-vel-bomrl-kl2.json
redis-server --port 6420 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$PWD" >/dev/null
lo() { awk '/lo:/{print $2+$10}' /proc/net/dev; }
workers() { # n threads
  pkill -f "gateway-port 3042" ; sleep 2
  for i in $(seq "$1"); do dotnet "$B" worker --cluster redis://127.0.0.1:6420 --port $((11420+i)) --gateway-port $((30420+i)) --threads "$2" > w$i.log 2>&1 & done
  for i in $(seq "$1"); do until grep -q "worker ready" w$i.log 2>/dev/null; do sleep 0.5; done; done
  sleep 3
}
for rep in 1 2; do
  rm -rf local-$rep; b=$(lo); /usr/bin/time -f "%e s wall" dotnet "$B" train --config $CFG --out local-$rep --iterations 2 --threads 2 > local-$rep.log 2>&1; echo "lo bytes $(( $(lo) - b ))" >> local-$rep.log
  workers 2 1
  rm -rf c2-$rep; b=$(lo); /usr/bin/time -f "%e s wall" dotnet "$B" train --config $CFG --out c2-$rep --iterations 2 --cluster redis://127.0.0.1:6420 > c2-$rep.log 2>&1; echo "lo bytes $(( $(lo) - b ))" >> c2-$rep.log
  workers 1 2
  rm -rf c1-$rep; b=$(lo); /usr/bin/time -f "%e s wall" dotnet "$B" train --config $CFG --out c1-$rep --iterations 2 --cluster redis://127.0.0.1:6420 > c1-$rep.log 2>&1; echo "lo bytes $(( $(lo) - b ))" >> c1-$rep.log
  pkill -f "gateway-port 3042"
done
redis-cli -p 6420 shutdown nosave >/dev/null 2>&1
echo done > DONE
