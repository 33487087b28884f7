#!/usr/bin/env bash
# CPU an idle sample host spends (default settings, fresh process, SQLite): percent of one core over a window,
# from the process's own utime + stime in /proc, after a warm-up. Usage: benchmarks/idle-cpu.sh [seconds] [warmup]
set -euo pipefail
cd "$(dirname "$0")/.."
window=${1:-60}
warmup=${2:-15}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dotnet build -c Release samples/WebHost -v q -nologo >/dev/null
dotnet samples/WebHost/bin/Release/net10.0/Crm.WebHost.dll --urls "http://127.0.0.1:$port" --contentRoot "$PWD/samples/WebHost" \
  "--ConnectionStrings:Crm=Data Source=$work/crm.db" "--Crm:Smtp:PickupDirectory=$work/outbox" > "$work/host.log" 2>&1 &
host=$!
trap 'kill $host 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
sleep "$warmup"
ticks() { awk '{print $14 + $15}' "/proc/$host/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep "$window"
after=$(ticks)
python3 -c "print(f'idle host: {($after-$before)/$hz/$window*100:.2f} % of one core over ${window} s (after ${warmup} s warm-up); SQL statements logged at Information: ' + str(sum(1 for l in open('$work/host.log') if 'Executed DbCommand' in l)))"
