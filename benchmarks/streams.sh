#!/usr/bin/env bash
# What an open chat event stream costs the host when nothing happens in its conversation: starts the sample host (a
# fresh process, SQLite), opens STREAMS event streams (one conversation each), then posts MESSAGES chat messages, GAP
# seconds apart, into another conversation and prints the host's CPU time per message (utime+stime from /proc, less
# the idle rate measured with the streams open). Run it with STREAMS=1 for the reference in the same run.
#   STREAMS=1000 MESSAGES=12 GAP=1.2 benchmarks/streams.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
streams=${STREAMS:-1000}; messages=${MESSAGES:-12}; export GAP=${GAP:-1.2}
dotnet build "$root/samples/WebHost" -c Release -v q >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
(cd "$dir" && exec dotnet "$root/samples/WebHost/bin/Release/net10.0/Crm.WebHost.dll" --urls "http://127.0.0.1:$port" --contentRoot "$root/samples/WebHost" \
  --ConnectionStrings:Crm="Data Source=$dir/crm.db" --Crm:RateLimiting:ChatPermitLimit=1000000 --Crm:RateLimiting:ConversationPermitLimit=1000000 \
  --Crm:Chat:MaxStreamsPerClient=100000 --Logging:LogLevel:Default=Warning > "$dir/log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.5; done
python3 "$root/benchmarks/streams.py" "http://127.0.0.1:$port" "$pid" "$streams" "$messages"
