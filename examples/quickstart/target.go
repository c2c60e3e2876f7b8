package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// target is where the journey runs.
type target struct {
	cfg   api.Config
	user  api.UUID           // PODERO_USER_ID, if set
	fake  *poderotest.Server // nil against Podero
	boost bool               // boost the vehicle: on the fake, or PODERO_QUICKSTART_BOOST
	about string             // what to tell the user
}

// chooseTarget reads the environment: no credentials at all means the
// in-memory fake; otherwise all three are needed.
func chooseTarget(env func(string) string) (*target, error) {
	names := []string{"PODERO_CLIENT_ID", "PODERO_CLIENT_SECRET", "PODERO_ORG_ID"}
	var missing []string
	for _, name := range names {
		if env(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == len(names) {
		srv := poderotest.NewServer()
		return &target{
			cfg:  api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: srv.TokenURL},
			fake: srv, boost: true,
			about: "No Podero credentials in the environment (PODERO_CLIENT_ID, PODERO_CLIENT_SECRET, PODERO_ORG_ID):\n" +
				"running against poderotest, an in-memory Podero at " + srv.URL + ". Nothing leaves this machine.",
		}, nil
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s not set: set all of %s to run against Podero, or none to run against an in-memory fake",
			strings.Join(missing, " and "), strings.Join(names, ", "))
	}
	org, err := api.ParseUUID(env("PODERO_ORG_ID"))
	if err != nil {
		return nil, fmt.Errorf("PODERO_ORG_ID is not a UUID: %w", err)
	}
	var user api.UUID
	if v := env("PODERO_USER_ID"); v != "" {
		if user, err = api.ParseUUID(v); err != nil {
			return nil, fmt.Errorf("PODERO_USER_ID is not a UUID: %w", err)
		}
	}
	var boost bool
	if v := env("PODERO_QUICKSTART_BOOST"); v != "" {
		if boost, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("PODERO_QUICKSTART_BOOST is %q: want 1 to boost the real vehicle, or 0", v)
		}
	}
	base := env("PODERO_BASE_URL")
	if base == "" {
		switch e := env("PODERO_ENV"); e {
		case "", "sandbox":
			base = api.SandboxBaseURL
		case "production":
			base = api.ProductionBaseURL
		default:
			return nil, fmt.Errorf("PODERO_ENV is %q: want sandbox (the default) or production", e)
		}
	}
	return &target{
		cfg: api.Config{BaseURL: base, OrgID: org, ClientID: env("PODERO_CLIENT_ID"), ClientSecret: env("PODERO_CLIENT_SECRET"),
			UserAgent: "podero-quickstart"},
		user:  user,
		boost: boost,
		about: fmt.Sprintf("Running against Podero at %s, organization %s.", base, org),
	}, nil
}
