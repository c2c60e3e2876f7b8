package apitest_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/internal/conformance"
	"github.com/podero-go/podero/internal/specserver"
)

func specDoc(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := specserver.Doc()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestEveryOperationHasAMethod walks the pinned spec, not the generated
// table, so an operation the pipeline dropped cannot go unnoticed.
func TestEveryOperationHasAMethod(t *testing.T) {
	doc := specDoc(t)
	byID := map[string]api.OperationInfo{}
	for _, info := range api.Operations {
		byID[info.OperationID] = info
	}
	client := reflect.TypeOf(&raw.ClientWithResponses{})
	partner := reflect.TypeOf(&api.PartnerClient{})
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			info, ok := byID[op.OperationID]
			if !ok {
				t.Errorf("%s %s (%s) is not in api.Operations", method, path, op.OperationID)
				continue
			}
			if info.Method != method || info.Path != path {
				t.Errorf("api.Operations has %s as %s %s, the spec as %s %s", op.OperationID, info.Method, info.Path, method, path)
			}
			if _, ok := client.MethodByName(info.Name + "WithResponse"); !ok {
				t.Errorf("%s %s (%s) has no method %s on ClientWithResponses", method, path, op.OperationID, info.Name+"WithResponse")
			}
			if _, ok := partner.MethodByName(info.Name); !ok {
				t.Errorf("%s %s (%s) has no method %s on PartnerClient", method, path, op.OperationID, info.Name)
			}
			if op.RequestBody != nil {
				if _, ok := client.MethodByName(info.Name + "WithBodyWithResponse"); !ok {
					t.Errorf("%s %s has a request body but no %sWithBodyWithResponse", method, path, info.Name)
				}
			}
			if strings.Contains(info.Name, "_") || strings.HasPrefix(info.Name, "Integrations") {
				t.Errorf("%s leaks the django-ninja operationId into the Go name %s", op.OperationID, info.Name)
			}
		}
	}
	if n != len(api.Operations) {
		t.Errorf("the spec has %d operations, api.Operations %d", n, len(api.Operations))
	}
	if n == 0 {
		t.Fatal("the spec has no operations")
	}
}

func bearer(token string) raw.ClientOption {
	return raw.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
}

// conformancePackage is package api as internal/conformance tests every
// package gen generates.
func conformancePackage(t *testing.T) conformance.Package {
	return conformance.Package{
		Doc:        specDoc(t),
		Operations: conformance.Operations(api.Operations),
		NewRaw: func(server, token string) (any, error) {
			return raw.NewClientWithResponses(server, bearer(token))
		},
		NewPartner: func(server string, org uuid.UUID, token string) (any, error) {
			return api.New(api.Config{BaseURL: server, OrgID: org, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})})
		},
		ResponseInfo: func() (any, func() (int, int)) {
			var info api.ResponseInfo
			return api.WithResponseInfo(&info), func() (int, int) { return info.StatusCode, info.Attempts }
		},
		Paginated: api.Paginated,
	}
}

// TestConformance calls every operation through the generated client against
// a server that validates the request with openapi3filter and answers with a
// response that validates too; the client must decode it into the typed
// field for the status.
func TestConformance(t *testing.T) { conformance.RunRaw(t, conformancePackage(t)) }

// TestConformanceRawNew: the raw client that raw.New puts on a
// PartnerClient's transport calls every operation as the plain generated
// client does, through the transport's route lookup, token and errors.
func TestConformanceRawNew(t *testing.T) {
	p := conformancePackage(t)
	p.NewRaw = func(server, token string) (any, error) {
		c, err := api.New(api.Config{BaseURL: server, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})})
		if err != nil {
			return nil, err
		}
		return raw.New(c), nil
	}
	conformance.RunRaw(t, p)
}

// TestConformancePartnerClient calls every operation through its
// PartnerClient method against the spec-validating server: the request must
// validate, the call must return its decoded result (or only nil for an
// operation without a body), and the result must carry what the server
// sent.
func TestConformancePartnerClient(t *testing.T) { conformance.RunPartner(t, conformancePackage(t)) }

// TestConformanceErrors: every error body the spec declares (a boost's
// 409) reaches the caller decoded, in Error.Payload.
func TestConformanceErrors(t *testing.T) { conformance.RunErrors(t, conformancePackage(t)) }
