#!/usr/bin/env bash
# HTTP load benchmarks of the sample host with wrk: the open pixel against an unknown path on the same host,
# and chat intake, on SQLite. Usage: benchmarks/wrk.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
command -v wrk >/dev/null || bash .ci/install-deps.sh

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
key="bench-manager-key"
dotnet build -c Release samples/WebHost -v q -nologo >/dev/null
dotnet samples/WebHost/bin/Release/net10.0/Crm.WebHost.dll --urls "$base" --contentRoot "$PWD/samples/WebHost" \
  "--ConnectionStrings:Crm=Data Source=$work/crm.db" "--Crm:Smtp:PickupDirectory=$work/outbox" \
  "--Crm:ApiKeys:$key=Manager" --Crm:RateLimiting:ChatPermitLimit=100000000 --Crm:Campaigns:PollInterval=00:00:00.100 \
  --Logging:LogLevel:Default=Warning > "$work/host.log" 2>&1 &
host=$!
trap 'kill $host 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "$base/health" >/dev/null && break; sleep 0.1; done

curl -fs -X POST "$base/contacts" -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d '[{"email":"reader@example.com","name":"Reader"}]' >/dev/null
id=$(curl -fs -X POST "$base/bulk-email" -H "X-Api-Key: $key" -H 'Content-Type: application/json' \
  -d '{"subject":"Pixel","body":"<p>Hello {{ contact.name }}</p>"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 100); do ls "$work"/outbox/*.eml >/dev/null 2>&1 && break; sleep 0.1; done
# From the decoded HTML part: on the wire the body is quoted-printable, and a soft line break can split the URL.
pixel=$(python3 - "$base" "$work"/outbox/*.eml <<'PY'
import email, email.policy, re, sys
message = email.message_from_binary_file(open(sys.argv[2], "rb"), policy=email.policy.default)
html = message.get_body(preferencelist=("html",)).get_content()
print(re.search(re.escape(sys.argv[1]) + r'/bulk-email/open/[^"]*', html).group(0))
PY
)

requests() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p'; }
rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
non2xx() { sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p'; }

echo "Machine: $(nproc) cores; wrk -t2 -c$connections -d${duration}s; host on SQLite"
wrk -t2 -c"$connections" -d"${duration}s" "$base/this-path-does-not-exist" > "$work/unknown.txt"
wrk -t2 -c"$connections" -d"${duration}s" "$pixel" > "$work/pixel.txt"
served=$(requests < "$work/pixel.txt")
# Opens are written in batches; wait until the count stops moving. wrk sends no user agent, and its hits come within
# seconds of the send, so they are recorded as machine opens: both counts together are every hit recorded.
opens=-1
for _ in $(seq 50); do
  sleep 0.3
  now=$(curl -fs "$base/bulk-email/$id" -H "X-Api-Key: $key" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["totalOpens"] + c["machineOpens"])')
  [ "$now" = "$opens" ] && break
  opens=$now
done

cat > "$work/chat.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Load","email":"load@example.com","message":"Do you ship oak tables to Norway?"}'
LUA
wrk -t2 -c"$connections" -d"${duration}s" -s "$work/chat.lua" "$base/tickets?channel=chat" > "$work/chat.txt"
chats=$(requests < "$work/chat.txt")
tickets=$(curl -fs "$base/tickets?channel=chat&pageSize=1" -H "X-Api-Key: $key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')

unknown_rate=$(rate < "$work/unknown.txt"); pixel_rate=$(rate < "$work/pixel.txt"); chat_rate=$(rate < "$work/chat.txt")
echo
echo "| endpoint | requests/s | requests | notes |"
echo "| --- | ---: | ---: | --- |"
echo "| unknown path (404 problem) | $unknown_rate | $(requests < "$work/unknown.txt") | the host's own baseline |"
echo "| open pixel (records every hit) | $pixel_rate | $served | $(python3 -c "print(f'{$pixel_rate/$unknown_rate:.2f}')") × baseline; opens recorded (person + machine): $opens (+$((opens - served)): requests in flight when wrk stopped are served but not counted by wrk, at most $connections); non-2xx: $(n=$(non2xx < "$work/pixel.txt"); echo "${n:-0}") |"
echo "| chat intake (POST /tickets?channel=chat) | $chat_rate | $chats | tickets stored: $tickets (+$((tickets - chats)) in flight when wrk stopped); non-2xx: $(n=$(non2xx < "$work/chat.txt"); echo "${n:-0}") |"
