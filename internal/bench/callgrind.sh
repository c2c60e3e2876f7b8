#!/usr/bin/env bash
# make bench-callgrind: instructions per call of each implementation, counted
# by valgrind's callgrind, which repeats where the shared machine's timings do
# not. Each benchmark runs twice under callgrind with a fixed -benchtime=Nx,
# N1 and N2 iterations; (count(N2) - count(N1)) / (N2 - N1) is one call,
# without the start-up, the server's set-up and the warm-up run both share.
# It counts the whole process in user space: the client, the in-process
# server on loopback and the runtime. Not the kernel's share of the loopback
# exchange (system calls are not counted), which is the same for every
# implementation.
#
# What makes the counts repeat (to about 0.2% here):
#   - GOGC=off: no garbage collection, whose cycles fall in one run's
#     iterations and not in another's (±3% with it on). The collector's
#     work follows the allocations, which the benchmarks report exactly
#     (allocs/op, B/op); the counts here are the rest;
#   - GOMAXPROCS=1: no idle Ps spinning for work, a count that depends on
#     timing;
#   - GODEBUG=asyncpreemptoff=1: callgrind cannot follow the runtime's
#     preemption signals (an assertion fails in its signal handling);
#   - GODEBUG=cpu.rdtscp=off: valgrind 3.19 does not know RDTSCP, which the
#     runtime's cputicks uses when the CPU has it;
#   - CGO_ENABLED=0: a static binary, no C resolver threads.
set -euo pipefail
GO=${GO:-go}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$root/internal/bench" && CGO_ENABLED=0 $GO test -c -o "$tmp/bench.test" .)
(cd "$root" && CGO_ENABLED=0 $GO test -c -o "$tmp/api.test" ./api)

# count BINARY BENCH N: the instructions of one run.
count() {
	GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$1" -test.run '^$' -test.bench "$2" -test.benchtime "$3x" 2>&1 >/dev/null |
		awk '/Collected :/ {print $NF}'
}

printf '%-40s %-10s %14s %8s\n' benchmark impl instructions/op ratio
# measure BINARY BENCH N1 N2 IMPL...: one line per implementation; the first
# is the baseline the ratios are to.
measure() {
	local bin=$1 bench=$2 n1=$3 n2=$4
	shift 4
	local base=""
	for impl in "$@"; do
		local c1 c2 per
		c1=$(count "$bin" "^$bench\$/^impl=$impl\$" "$n1")
		c2=$(count "$bin" "^$bench\$/^impl=$impl\$" "$n2")
		per=$(((c2 - c1) / (n2 - n1)))
		[ -n "$base" ] || base=$per
		printf '%-40s %-10s %14d %8s\n' "$bench" "$impl" "$per" "$(awk -v a="$per" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"
	done
}

measure "$tmp/bench.test" BenchmarkGetElectricVehicle 20 120 baseline bare generated partner ogen
measure "$tmp/bench.test" BenchmarkListSessions200 4 24 baseline bare generated partner ogen
measure "$tmp/bench.test" BenchmarkCreateUser 20 220 baseline bare generated partner ogen
measure "$tmp/bench.test" BenchmarkEncodeCreateUser 1000 11000 baseline ogen
measure "$tmp/api.test" 'BenchmarkEncode/body=CreateUser' 1000 11000 baseline generated partner
