#!/usr/bin/env bash
# Third repetition with CPU accounting: CPU seconds (user + system) of the learner and of the workers, per run.
set -u
cd "$(dirname "$0")"
until [ -f DONE ]; do sleep 10; done
B=$PWD/bin/BoMrl.Cli.dll
CFG=/work/wt/i13-exec/configs/halfcheetah-vel-bomrl-kl2.json
redis-server --port 6420 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$PWD" >/dev/null
cpu() { local t=0; for p in "$@"; do t=$(( t + $(awk '{print $14+$15}' /proc/$p/stat) )); done; echo $t; } # clock ticks
workers() { # n threads → sets WP
  pkill -f "gateway-port 3042" ; sleep 2; WP=()
  for i in $(seq "$1"); do dotnet "$B" worker --cluster redis://127.0.0.1:6420 --port $((11420+i)) --gateway-port $((30420+i)) --threads "$2" > w$i.log 2>&1 & WP+=($!); done
  for i in $(seq "$1"); do until grep -q "worker ready" w$i.log 2>/dev/null; do sleep 0.5; done; done
  sleep 3
}
tck=$(getconf CLK_TCK)
rm -rf local-3; /usr/bin/time -f "%e s wall, %U s user, %S s system" dotnet "$B" train --config $CFG --out local-3 --iterations 2 --threads 2 > local-3.log 2>&1
for w in "2 1" "1 2"; do
  set -- $w; workers $1 $2; before=$(cpu "${WP[@]}")
  rm -rf c$1-3; /usr/bin/time -f "%e s wall, %U s user, %S s system" dotnet "$B" train --config $CFG --out c$1-3 --iterations 2 --cluster redis://127.0.0.1:6420 > c$1-3.log 2>&1
  echo "workers cpu $(( ($(cpu "${WP[@]}") - before) / tck )) s" >> c$1-3.log
done
pkill -f "gateway-port 3042"
redis-cli -p 6420 shutdown nosave >/dev/null 2>&1
echo done > DONE2
