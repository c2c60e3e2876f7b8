package httpguard

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// The retry arithmetic that the API client and the token source share.
// Which statuses are worth a retry differs between them and stays with
// each: the token endpoint retries 408, 429 and every 5xx, the API only
// 408, 429, 502, 503 and 504.

// MaxRetryAfter is the longest Retry-After represented: a value beyond it
// (or too large for an int64) reads as this, longer than any caller waits.
const MaxRetryAfter = time.Duration(1<<62) / time.Second * time.Second

// RetryAfter reads a Retry-After header (RFC 9110 section 10.2.3):
// delay-seconds or an HTTP date; ok is false when there is none or it does
// not parse.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case err != nil && v[0] == '-', secs < 0:
			return 0, false
		case err != nil || secs > int64(MaxRetryAfter/time.Second):
			return MaxRetryAfter, true // an out-of-range number is just very long
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Backoff is the wait before retry number n (1 for the first): initial,
// doubled for each next retry up to maxWait, then jittered down by up to
// half, so that clients that failed together do not retry together.
func Backoff(initial, maxWait time.Duration, n int) time.Duration {
	d := initial
	for i := 1; i < n; i++ {
		if d > maxWait/2 { // doubling would pass the cap (or overflow)
			d = maxWait
			break
		}
		d *= 2
	}
	d = min(d, maxWait)
	return d/2 + rand.N(d/2+1)
}

// CheckToken turns a token source's answer without an error but without
// an access token into an error.
func CheckToken(tok *oauth2.Token, err error) (*oauth2.Token, error) {
	if err == nil && (tok == nil || tok.AccessToken == "") {
		err = errors.New("the token source returned no access token")
	}
	return tok, err
}
