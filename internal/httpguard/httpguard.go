// Package httpguard keeps credentials on the host they are meant for.
package httpguard

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// SameOrigin returns a copy of c (or of a zero http.Client when c is nil)
// that refuses to follow a redirect to another scheme or host:port.
// net/http drops the Authorization header only when the host name changes,
// so it would still send it from https to http, or to another port. what
// says what the requests carry, for the error. c is not modified.
func SameOrigin(c *http.Client, what string) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	next := cp.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		from := via[0].URL
		if req.URL.Scheme != from.Scheme || !strings.EqualFold(req.URL.Host, from.Host) {
			return &RedirectError{fmt.Sprintf("refusing redirect from %s://%s to %s://%s: %s and go only to the configured host",
				from.Scheme, from.Host, req.URL.Scheme, req.URL.Host, what)}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 { // net/http's default limit
			return &RedirectError{"stopped after 10 redirects"}
		}
		return nil
	}
	return &cp
}

// RedirectError is a redirect that SameOrigin refused. Sending the request
// again would meet the same redirect, so it is not worth a retry.
type RedirectError struct{ msg string }

func (e *RedirectError) Error() string { return e.msg }

// IsLoopback reports whether host (a host name or IP, without port) is
// this machine: "localhost", 127.0.0.0/8 or ::1. Plain http is allowed only
// there, so that tests can use httptest while credentials never cross a
// network in the clear.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
