package poderotest

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/specserver"
)

// Tamper makes the fake's successful (2xx) JSON responses to an operation
// wrong on purpose, for testing code that must notice when Podero drifts
// from the spec: after the fake has built such a response, f may add,
// remove or retype fields of its body. For a body that is an array, f is
// called for each element that is an object; a response without a body
// (204) is left alone. f gets the body as encoding/json decodes it
// (map[string]any, []any, float64, ...) and is called without the server's
// lock held, on the request's goroutine.
//
// operation is the spec's operationId, or the SDK's Go name for it (the
// Name of an [api.OperationInfo] in api.Operations, such as
// "GetElectricVehicle"). Tamper panics if it is neither.
//
// Tampered responses are not checked against the spec, and do not make
// [New] fail the test. A nil f removes the tampering; [Server.TamperStatus]
// is separate.
func (s *Server) Tamper(operation string, f func(body map[string]any)) {
	id := s.operationID("Tamper", operation)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		delete(s.tamper, id)
		return
	}
	s.tamper[id] = f
}

// TamperStatus makes the fake answer an operation's success with status
// instead of the one it would send (a 202 where the spec declares only
// 200, say), with the body unchanged: the response the fake builds, with
// any [Server.Tamper] applied. Errors the fake answers (404, 409, 422, ...)
// are left alone. operation is named as for Tamper, and TamperStatus panics
// if it is unknown or status is not an HTTP status (100 to 999). Such
// responses are not checked against the spec either. Status 0 removes the
// tampering.
func (s *Server) TamperStatus(operation string, status int) {
	id := s.operationID("TamperStatus", operation)
	if status != 0 && (status < 100 || status > 999) {
		panic(fmt.Sprintf("poderotest: TamperStatus(%q, %d): not an HTTP status", operation, status))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.tamperStatus, id)
		return
	}
	s.tamperStatus[id] = status
}

// alter applies Tamper and TamperStatus to a response: the specserver
// Handler's Alter.
func (s *Server) alter(c *specserver.Call, resp specserver.Response) (specserver.Response, bool) {
	id := c.Operation().OperationID
	s.mu.Lock()
	f, status := s.tamper[id], s.tamperStatus[id]
	s.mu.Unlock()
	if resp.Status < 200 || resp.Status > 299 || (f == nil && status == 0) {
		return resp, false
	}
	altered := false
	if f != nil && resp.Body != nil {
		if body, ok := jsonValue(resp.Body); ok {
			switch b := body.(type) {
			case map[string]any:
				f(b)
			case []any:
				for _, e := range b {
					if obj, ok := e.(map[string]any); ok {
						f(obj)
					}
				}
			}
			resp.Body, altered = body, true
		}
	}
	if status != 0 {
		resp.Status, altered = status, true
	}
	return resp, altered
}

// jsonValue returns a response body as encoding/json decodes it: a copy
// that f can change freely.
func jsonValue(body any) (any, bool) {
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, false
		}
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, false
	}
	return v, true
}

// operationIDs maps the spec's operationIds, and the SDK's Go names for
// them, to operationIds.
func operationIDs(s *Server) map[string]string {
	ids := map[string]string{}
	for _, item := range s.doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids[op.OperationID] = op.OperationID
		}
	}
	for _, info := range api.Operations {
		if _, ok := ids[info.OperationID]; !ok {
			panic(fmt.Sprintf("poderotest: api.Operations names %s for operationId %s, which the pinned spec does not have: regenerate package api", info.Name, info.OperationID))
		}
		ids[info.Name] = info.OperationID
	}
	return ids
}

// operationID returns the operationId an operation name stands for, or
// panics saying what fn wants.
func (s *Server) operationID(fn, name string) string {
	if id, ok := s.opIDs[name]; ok {
		return id
	}
	names := make([]string, 0, len(api.Operations))
	for _, info := range api.Operations {
		names = append(names, info.Name)
	}
	sort.Strings(names)
	panic(fmt.Sprintf("poderotest: %s: unknown operation %q: want an operationId of the spec or one of the SDK's Go names for them (api.Operations): %v", fn, name, names))
}
