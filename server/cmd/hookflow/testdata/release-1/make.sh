#!/usr/bin/env bash
# Makes the upgrade fixture: a data directory written by a hookflow release, with accounts, two
# teams' worth of membership, flows with secret inputs, versions, runs (delivered, filtered and
# failed) and captured requests. Run it with that release's binary; the upgrade test
# (server/cmd/hookflow/upgrade_test.go) opens a copy under the current code.
#   usage: make.sh path/to/hookflow   (writes ./data next to this script)
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/data"
port=18577
url="http://127.0.0.1:$port"
HOOKFLOW_ADDR="127.0.0.1:$port" HOOKFLOW_DATA_DIR="$here/data" HOOKFLOW_PUBLIC_URL="$url" HOOKFLOW_DATABASE_URL= \
  "$bin" serve >"$here/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$here/serve.log"' EXIT
for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null && break; sleep 0.1; done
jar=$(mktemp)
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("flow",d); print(d[sys.argv[1]])' "$1"; }
json() { curl -fsS -b "$jar" -c "$jar" -H 'Content-Type: application/json' -H "Origin: $url" \
  -H "X-CSRF-Token: $(awk '$6=="hookflow_csrf"{print $7}' "$jar")" "$@"; }
json -X POST "$url/api/auth/signup" -d '{"email":"owner@example.com","password":"release-1-password","name":"Анна"}' >/dev/null
# A flow from the GetCourse → CPA.House template with its secret API key: its runs fail (the
# target cannot be reached from here), so the journal holds failed runs with retries.
cpa=$(json -X POST "$url/api/templates/getcourse-cpa-house/instantiate" -d '{"name":"GetCourse → CPA.House","inputs":{"api_key":"cpa-secret-key-0001","id_webmaster":"11","id_offer":"22","id_source":"33","id_stream":"44"}}' | field id)
json -X POST "$url/api/flows/$cpa/start" >/dev/null
# A flow that only reshapes the request and a condition: delivered and filtered runs.
doc='{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},{"id":"check","kind":"filter","config":{"match":"all","rules":[{"left":"{{trigger.params.email}}","op":"not_empty","right":""}]}},{"id":"lead","kind":"set","config":{"fields":[{"key":"email","value":"{{trigger.params.email}}"}]}}],"edges":[{"from":"trigger","to":"check"},{"from":"check","to":"lead"}]}'
plain=$(json -X POST "$url/api/flows" -d "{\"name\":\"Лиды с сайта\",\"document\":$doc}" | field id)
json -X POST "$url/api/flows/$plain/start" >/dev/null
json -X POST "$url/api/tokens" -d '{"name":"CRM export"}' >/dev/null
json -X POST "$url/api/invitations" -d '{"role":"editor"}' >/dev/null
hook() { json "$url/api/flows/$1" | field webhook_url; }
for i in 1 2 3; do curl -fsS "$(hook "$plain")?email=lead$i@example.com&name=Лид%20$i" >/dev/null; done
curl -fsS "$(hook "$plain")?name=no-email" >/dev/null
curl -fsS "$(hook "$cpa")?id=148203557&email=anna@example.com&phone=%2B79161234567&first_name=Анна" >/dev/null
sleep 3 # the workers finish the runs (the failing one has its first attempt journaled)
kill $pid; wait $pid 2>/dev/null || true
rm -f "$here/data/hookflow.db-shm" "$here/data/hookflow.db-wal"
echo "flows: $cpa $plain"
