//go:build race

package apitest

// raceDetector: the tests run with -race (make test's run of every
// package), which makes the differential test ten times slower; make
// test-decode runs it in full without.
const raceDetector = true
