package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
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
// table, so an operation the pipeline dropped cannot go unnoticed (see
// conformance.MissingMethods, which every corpus client passes too).
func TestEveryOperationHasAMethod(t *testing.T) {
	p := conformancePackage(t)
	raw, err := p.NewRaw("https://example.com", "t")
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range conformance.MissingMethods(p.Doc, p.Operations, raw, &api.PartnerClient{}) {
		t.Error(problem)
	}
	for _, info := range api.Operations {
		if strings.Contains(info.Name, "_") || strings.HasPrefix(info.Name, "Integrations") {
			t.Errorf("%s leaks the django-ninja operationId into the Go name %s", info.OperationID, info.Name)
		}
	}
}

func bearer(token string) api.ClientOption {
	return api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
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
			return api.NewClientWithResponses(server, bearer(token))
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

// TestConformancePartnerClient calls every operation through its
// PartnerClient method against the spec-validating server: the request must
// validate, the call must return its decoded result (or only nil for an
// operation without a body), and the result must carry what the server
// sent.
func TestConformancePartnerClient(t *testing.T) { conformance.RunPartner(t, conformancePackage(t)) }

// TestConformanceErrors: every error body the spec declares (a boost's
// 409) reaches the caller decoded, in Error.Payload.
func TestConformanceErrors(t *testing.T) { conformance.RunErrors(t, conformancePackage(t)) }
