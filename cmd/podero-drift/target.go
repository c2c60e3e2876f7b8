package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/internal/partnerenv"
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
	settings, err := partnerenv.Read(env, "to survey Podero, or none for a sample report from an in-memory fake")
	if err != nil {
		return nil, err
	}
	if settings == nil {
		srv, err := demo()
		if err != nil {
			return nil, err
		}
		return &target{
			cfg:  api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: srv.TokenURL},
			fake: srv,
			name: "poderotest, an in-memory Podero with drift injected on purpose (a sample report: no credentials in the environment)",
			about: "No Podero credentials in the environment (" + strings.Join(partnerenv.Credentials, ", ") + "):\n" +
				"surveying poderotest, an in-memory Podero with drift injected on purpose, to show a sample report. Nothing leaves this machine.",
		}, nil
	}
	cfg := settings.Config
	cfg.UserAgent = "podero-drift"
	name := "the API at PODERO_BASE_URL"
	if settings.Env != "" {
		name = "Podero " + settings.Env
	}
	host := cfg.BaseURL
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Host != "" {
		host = u.Scheme + "://" + u.Host // never a user:password@ or a query
	}
	return &target{
		cfg:   cfg,
		name:  fmt.Sprintf("%s (%s)", name, host),
		about: fmt.Sprintf("Surveying %s (%s): GET requests only.", name, host),
	}, nil
}
