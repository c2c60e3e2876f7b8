package poderotest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestUndecodableBodyChangesNothing: should a body the Validator passed not
// decode to an object after all, the fake answers 422 rather than create a
// blank object ("string" email, "admin" role) in its place.
func TestUndecodableBodyChangesNothing(t *testing.T) {
	s := New(t)
	users := s.URL + apiPrefix + "org/" + s.OrgID.String() + "/users"
	for body, wantType := range map[string]string{
		`{"role":"user","email":"a@example.com"}}`: "json_invalid",
		`null`: "model_attributes_type", `[]`: "model_attributes_type", `"a"`: "model_attributes_type",
	} {
		req, _ := http.NewRequest(http.MethodPost, users, strings.NewReader(`{"role":"user","email":"a@example.com"}`))
		req.Header.Set("Content-Type", "application/json")
		call, problem := s.api.V.Check(req)
		if problem != nil {
			t.Fatal(problem)
		}
		call.Body = []byte(body) // as if the Validator had let it through
		resp, ok := s.respond(call, req)
		if !ok || resp.Status != http.StatusUnprocessableEntity {
			t.Errorf("body %s: status %d, want 422", body, resp.Status)
		}
		// The detail list is the Validator's: [{loc, msg, type}].
		b, _ := json.Marshal(resp.Body)
		var got struct {
			Detail []struct {
				Loc       []string
				Msg, Type string
			}
		}
		if err := json.Unmarshal(b, &got); err != nil || len(got.Detail) != 1 ||
			!slices.Equal(got.Detail[0].Loc, []string{"body"}) || got.Detail[0].Msg == "" || got.Detail[0].Type != wantType {
			t.Errorf("body %s: answered %s, want one item at [body] of type %s", body, b, wantType)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.records); n != 0 {
		t.Errorf("the refused bodies stored %d objects", n)
	}
}

// countingReader counts what is read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestBodyLimitReadsLittle: a body over the limit is read no further than
// MaxRequestBody+1 bytes, and not at all when Content-Length declares it.
func TestBodyLimitReadsLittle(t *testing.T) {
	s := New(t)
	for _, declared := range []bool{false, true} {
		body := &countingReader{r: strings.NewReader(strings.Repeat("x", 10<<20))}
		req := httptest.NewRequest(http.MethodPost, "/api/partners/v2.0/device-onboarding", body)
		req.ContentLength = -1
		if declared {
			req.ContentLength = 10 << 20
		}
		w := httptest.NewRecorder()
		if s.limitBody(w, req, false) || w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("declared %v: limitBody let it through (status %d)", declared, w.Code)
		}
		want := MaxRequestBody + 1
		if declared {
			want = 0
		}
		if body.n > want {
			t.Errorf("declared %v: read %d bytes of the body, want at most %d", declared, body.n, want)
		}
	}
}
