package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/internal/partnerenv"
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
	settings, err := partnerenv.Read(env, "to run against Podero, or none to run against an in-memory fake")
	if err != nil {
		return nil, err
	}
	if settings == nil {
		srv := poderotest.NewServer()
		return &target{
			cfg:  api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: srv.TokenURL},
			fake: srv, boost: true,
			about: "No Podero credentials in the environment (" + strings.Join(partnerenv.Credentials, ", ") + "):\n" +
				"running against poderotest, an in-memory Podero at " + srv.URL + ". Nothing leaves this machine.",
		}, nil
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
	cfg := settings.Config
	cfg.UserAgent = "podero-quickstart"
	return &target{
		cfg:   cfg,
		user:  user,
		boost: boost,
		about: fmt.Sprintf("Running against Podero at %s, organization %s.", cfg.BaseURL, cfg.OrgID),
	}, nil
}
