package partnerenv

import (
	"strings"
	"testing"

	"github.com/podero-go/podero/api"
)

func TestRead(t *testing.T) {
	creds := map[string]string{"PODERO_CLIENT_ID": "id", "PODERO_CLIENT_SECRET": "secret", "PODERO_ORG_ID": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
	with := func(extra map[string]string) func(string) string {
		return func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			return creds[k]
		}
	}
	if s, err := Read(with(map[string]string{"PODERO_TOKEN_URL": "https://auth.example.com/token"}), ""); err != nil || s.Config.TokenURL != "https://auth.example.com/token" {
		t.Errorf("PODERO_TOKEN_URL: %+v, %v", s, err)
	}
	if s, err := Read(func(string) string { return "" }, "or else"); s != nil || err != nil {
		t.Errorf("no credentials: %v, %v; want nil, nil", s, err)
	}
	for _, tc := range []struct {
		extra      map[string]string
		base, env  string
		wantErrPar string
	}{
		{nil, api.SandboxBaseURL, "sandbox", ""},
		{map[string]string{"PODERO_ENV": "production"}, api.ProductionBaseURL, "production", ""},
		{map[string]string{"PODERO_ENV": "production", "PODERO_BASE_URL": "http://127.0.0.1:9"}, "http://127.0.0.1:9", "", ""},
		{map[string]string{"PODERO_ENV": "staging"}, "", "", "PODERO_ENV"},
		{map[string]string{"PODERO_TOKEN_URL": "https://auth.example.com/token"}, api.SandboxBaseURL, "sandbox", ""},
		{map[string]string{"PODERO_ORG_ID": "acme"}, "", "", "PODERO_ORG_ID is not a UUID"},
		{map[string]string{"PODERO_CLIENT_SECRET": ""}, "", "", "PODERO_CLIENT_SECRET not set: set all of PODERO_CLIENT_ID, PODERO_CLIENT_SECRET, PODERO_ORG_ID or else"},
	} {
		s, err := Read(with(tc.extra), "or else")
		switch {
		case tc.wantErrPar != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErrPar) {
				t.Errorf("%v: %v, want an error saying %q", tc.extra, err, tc.wantErrPar)
			}
		case err != nil || s.Config.BaseURL != tc.base || s.Env != tc.env || s.Config.ClientSecret != "secret" || s.Config.OrgID.String() != creds["PODERO_ORG_ID"]:
			t.Errorf("%v: %+v, %v", tc.extra, s, err)
		}
	}
}
