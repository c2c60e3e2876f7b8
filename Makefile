# podero-go. Every tool runs through `go run` at the version go.mod pins
# (see tools.go), so a clean machine needs only Go and the module proxy.
GO ?= go
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
BENCHSTAT := $(GO) run golang.org/x/perf/cmd/benchstat
# make bench: runs of each benchmark, and how long each runs.
BENCH_COUNT ?= 8
BENCH_TIME ?= 300ms

.PHONY: all generate check-generate pin-spec update-spec test lint fmt bench

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

## update-spec: take the live spec (or SPEC_URL=...): check it, report the changes in CHANGELOG.md, pin, regenerate and build
update-spec:
	$(GO) run ./gen update-spec $(if $(SPEC_URL),-url '$(SPEC_URL)')

## lint: gofmt, go vet and staticcheck
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

## test: what CI runs: lint, the race-enabled tests, and the generated-code check
test: lint
	$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory check-generate

## bench: the benchmarks, BENCH_COUNT runs each with allocations, then benchstat's
## summary with each implementation as a ratio to the hand-written baseline (BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -benchtime $(BENCH_TIME) ./internal/bench ./api ./oauth ./api/speccheck > bench.txt; \
	status=$$?; cat bench.txt; exit $$status
	$(BENCHSTAT) -col /impl bench.txt
