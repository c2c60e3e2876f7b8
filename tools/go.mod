// The command-line tools podero-go's Makefile runs, in a module of their own
// so that the SDK's go.mod requires only what its packages link (issue 24).
// Run one from the root with `go tool -modfile=tools/go.mod <name>`, as make
// lint and make bench do. To add one (ogen, for the benchmarks, say):
// cd tools && go get -tool <package>@<version>.
module github.com/podero-go/podero/tools

go 1.26.0

tool (
	golang.org/x/perf/cmd/benchstat
	honnef.co/go/tools/cmd/staticcheck
)

require (
	github.com/BurntSushi/toml v1.4.1-0.20240526193622-a339e1f7089c // indirect
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	golang.org/x/exp/typeparams v0.0.0-20231108232855-2478ac86f678 // indirect
	golang.org/x/mod v0.41.0 // indirect
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/tools v0.51.0 // indirect
	honnef.co/go/tools v0.8.2 // indirect
)
