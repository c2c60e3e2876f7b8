// Package fakepodero starts the in-memory Podero that `podero --fake` and
// `podero-mcp --fake` run against: an api/poderotest server seeded as the
// quickstart (examples/quickstart) leaves it, so that anyone can try the
// command and the MCP server with no account and nothing leaving the
// machine.
package fakepodero

import (
	"context"
	"fmt"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// Fake is a running fake with the ids of what Start put in it.
type Fake struct {
	*poderotest.Server
	// UserID is Quinn, quickstart@example.com (external id "quickstart"),
	// with a building (BuildingID), an electric vehicle onboarded through
	// an onboarding session (VehicleID, with 12 past charging sessions)
	// and a heat pump whose connection broke (HeatPumpID: it needs a
	// reauthentication).
	UserID, BuildingID, VehicleID, HeatPumpID api.UUID
}

// Start starts a fake and seeds it through the API, as a partner would.
// The caller must Close it.
func Start(ctx context.Context) (*Fake, error) {
	f := &Fake{Server: poderotest.NewServer()}
	if err := f.seed(ctx); err != nil {
		f.Close()
		return nil, fmt.Errorf("seeding the fake: %w", err)
	}
	return f, nil
}

// Config is a client configuration for the fake.
func (f *Fake) Config() api.Config {
	return api.Config{BaseURL: f.URL, OrgID: f.OrgID, ClientID: f.ClientID, ClientSecret: f.ClientSecret, TokenURL: f.TokenURL}
}

func (f *Fake) seed(ctx context.Context) error {
	c, err := api.New(f.Config())
	if err != nil {
		return err
	}
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "quickstart@example.com",
		ExternalUserID: api.Value("quickstart"), FirstName: api.Value("Quinn"), LastName: api.Value("Quickstart")})
	if err != nil {
		return err
	}
	f.UserID = user.ID
	b, err := c.CreateBuilding(ctx, f.UserID, api.BuildingCreateInput{Name: "Quickstart Home"})
	if err != nil {
		return err
	}
	f.BuildingID = b.GetID()
	s, err := c.CreateOnboardingSession(ctx, api.DeviceOnboardingSessionCreateInput{
		Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT, UserID: f.UserID,
		BuildingID: api.Value(f.BuildingID), DeviceType: api.Value(api.DeviceKindEV),
		SuccessURL: "https://example.com/podero/success", CancelURL: "https://example.com/podero/cancel"})
	if err != nil {
		return err
	}
	if f.VehicleID, err = f.CompleteOnboarding(s.GetID()); err != nil {
		return err
	}
	if err := f.AddSessions(f.VehicleID, 12); err != nil {
		return err
	}
	if f.HeatPumpID, err = f.AddDevice(f.UserID, poderotest.HeatPump); err != nil {
		return err
	}
	_, err = f.RequireReauthentication(f.HeatPumpID)
	return err
}

// PlayEndUser does what the end user does in Podero's Connect UI for an
// onboarding session that has not completed: it connects the device. A
// waiter on the fake has nobody else to do it.
func (f *Fake) PlayEndUser(sessionID api.UUID) error {
	_, err := f.CompleteOnboarding(sessionID)
	return err
}
