// Package podero holds the pinned OpenAPI document of the Podero Partner API
// v2.0 that the SDK is generated from. The client itself is in package api,
// token handling in package oauth.
//
// This module is an unofficial SDK, not made or supported by Podero.
package podero

import _ "embed"

// OpenAPIJSON is the pinned openapi.json, byte for byte (its SHA-256 is
// api.SpecSHA256). Tests and fakes validate traffic against it.
//
//go:embed openapi.json
var OpenAPIJSON []byte
