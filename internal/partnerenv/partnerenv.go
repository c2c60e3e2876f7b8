// Package partnerenv reads a partner's Podero settings from the
// environment, as the quickstart and podero-drift take them:
//
//	PODERO_CLIENT_ID, PODERO_CLIENT_SECRET, PODERO_ORG_ID  all three, or none
//	PODERO_ENV       sandbox (the default) or production
//	PODERO_BASE_URL  another API host; overrides PODERO_ENV
//	PODERO_TOKEN_URL another token endpoint (default: the guides' on the API host)
package partnerenv

import (
	"fmt"
	"strings"

	"github.com/podero-go/podero/api"
)

// Credentials are the variables that must be set together.
var Credentials = []string{"PODERO_CLIENT_ID", "PODERO_CLIENT_SECRET", "PODERO_ORG_ID"}

// Settings are what the environment says.
type Settings struct {
	// Config has BaseURL, OrgID, ClientID and ClientSecret set.
	Config api.Config
	// Env is "sandbox" or "production", or "" when PODERO_BASE_URL chose
	// the host.
	Env string
}

// Read returns the settings in env (os.Getenv, or a test's stand-in). It
// returns nil and no error when none of the credentials is set, so that the
// caller can run on an in-memory fake instead; otherwise an error names what
// is missing or malformed, with orElse saying what to do
// ("to run against Podero, or none to run against an in-memory fake").
func Read(env func(string) string, orElse string) (*Settings, error) {
	var missing []string
	for _, name := range Credentials {
		if env(name) == "" {
			missing = append(missing, name)
		}
	}
	switch len(missing) {
	case len(Credentials):
		return nil, nil
	case 0:
	default:
		return nil, fmt.Errorf("%s not set: set all of %s %s",
			strings.Join(missing, " and "), strings.Join(Credentials, ", "), orElse)
	}
	org, err := api.ParseUUID(env("PODERO_ORG_ID"))
	if err != nil {
		return nil, fmt.Errorf("PODERO_ORG_ID is not a UUID: %w", err)
	}
	s := &Settings{Config: api.Config{BaseURL: env("PODERO_BASE_URL"), OrgID: org,
		ClientID: env("PODERO_CLIENT_ID"), ClientSecret: env("PODERO_CLIENT_SECRET"), TokenURL: env("PODERO_TOKEN_URL")}}
	if s.Config.BaseURL == "" {
		switch e := env("PODERO_ENV"); e {
		case "", "sandbox":
			s.Config.BaseURL, s.Env = api.SandboxBaseURL, "sandbox"
		case "production":
			s.Config.BaseURL, s.Env = api.ProductionBaseURL, "production"
		default:
			return nil, fmt.Errorf("PODERO_ENV is %q: want sandbox (the default) or production", e)
		}
	}
	return s, nil
}
