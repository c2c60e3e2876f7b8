// A service that uses podero-go as users do: its program imports api, its
// test imports api/poderotest. .ci/consumer-check tidies a copy of it and
// fails if the SDK's generator or linters end up in its go.mod or go.sum.
module example.com/podero-consumer

go 1.26.0

require github.com/podero-go/podero v0.0.0-00010101000000-000000000000

replace github.com/podero-go/podero => ../..
