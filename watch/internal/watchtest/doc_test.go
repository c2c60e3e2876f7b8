// Package watchtest tests package watch against poderotest, the in-memory
// Podero, in testing/synctest bubbles: the watcher, its client and the
// fake keep the bubble's clock, so a simulated day of a fleet takes the
// CPU time its requests cost and no more. It is a package of tests only,
// so that watch's own tests do not bring poderotest's dependencies
// (kin-openapi) into the go.sum of a service that imports watch.
package watchtest
