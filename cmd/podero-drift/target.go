package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// target is where the survey runs.
type target struct {
	cfg   api.Config
	fake  *poderotest.Server // nil against Podero
	name  string             // for the report: "Podero sandbox (https://...)", never an id
	about string             // what to tell the user
}

// chooseTarget reads the environment, as examples/quickstart does: no
// credentials at all means poderotest with drift injected; otherwise all
// three are needed.
func chooseTarget(env func(string) string) (*target, error) {
	names := []string{"PODERO_CLIENT_ID", "PODERO_CLIENT_SECRET", "PODERO_ORG_ID"}
	var missing []string
	for _, name := range names {
		if env(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == len(names) {
		srv, err := demo()
		if err != nil {
			return nil, err
		}
		return &target{
			cfg:  api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: srv.TokenURL},
			fake: srv,
			name: "poderotest, an in-memory Podero with drift injected on purpose (a sample report: no credentials in the environment)",
			about: "No Podero credentials in the environment (PODERO_CLIENT_ID, PODERO_CLIENT_SECRET, PODERO_ORG_ID):\n" +
				"surveying poderotest, an in-memory Podero with drift injected on purpose, to show a sample report. Nothing leaves this machine.",
		}, nil
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s not set: set all of %s to survey Podero, or none for a sample report from an in-memory fake",
			strings.Join(missing, " and "), strings.Join(names, ", "))
	}
	org, err := api.ParseUUID(env("PODERO_ORG_ID"))
	if err != nil {
		return nil, fmt.Errorf("PODERO_ORG_ID is not a UUID: %w", err)
	}
	base, name := env("PODERO_BASE_URL"), ""
	if base == "" {
		switch e := env("PODERO_ENV"); e {
		case "", "sandbox":
			base, name = api.SandboxBaseURL, "Podero sandbox"
		case "production":
			base, name = api.ProductionBaseURL, "Podero production"
		default:
			return nil, fmt.Errorf("PODERO_ENV is %q: want sandbox (the default) or production", e)
		}
	} else {
		name = "the API at PODERO_BASE_URL"
	}
	host := base
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		host = u.Scheme + "://" + u.Host // never a user:password@ or a query
	}
	return &target{
		cfg: api.Config{BaseURL: base, OrgID: org, ClientID: env("PODERO_CLIENT_ID"), ClientSecret: env("PODERO_CLIENT_SECRET"),
			UserAgent: "podero-drift"},
		name:  fmt.Sprintf("%s (%s)", name, host),
		about: fmt.Sprintf("Surveying %s (%s): GET requests only.", name, host),
	}, nil
}
