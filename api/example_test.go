package api_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/podero-go/podero/api"
)

func ExampleNew() {
	orgID, err := api.ParseUUID(os.Getenv("PODERO_ORG_ID"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := api.New(api.Config{
		BaseURL:      api.SandboxBaseURL, // the default is api.ProductionBaseURL
		OrgID:        orgID,
		ClientID:     os.Getenv("PODERO_CLIENT_ID"),
		ClientSecret: os.Getenv("PODERO_CLIENT_SECRET"),
		UserAgent:    "my-service/1.0",
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		log.Fatal(err)
	}
	users, err := client.ListUsers(context.Background(), api.ListUsersParams{})
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range users {
		fmt.Println(u.ID, u.Email)
	}
}

// findOrCreateUser returns the Podero user of one of your customers, by
// your own id for them, creating the user on the first call.
func findOrCreateUser(ctx context.Context, c *api.PartnerClient, customerID, email string) (*api.UserOutput, error) {
	u, err := c.GetUserByExternalID(ctx, customerID, api.GetUserByExternalIDParams{})
	if !api.IsNotFound(err) {
		return u, err // found, or a failure
	}
	return c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: email, ExternalUserID: api.Value(customerID)})
}

// Step 1 of a partner's journey: find or create the end user by your own
// customer id.
func Example_findOrCreateUser() {
	srv, c := fake()
	defer srv.Close()
	ctx := context.Background()

	first, err := findOrCreateUser(ctx, c, "customer-42", "ada@example.com")
	if err != nil {
		log.Fatal(err)
	}
	again, err := findOrCreateUser(ctx, c, "customer-42", "ada@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(first.Email, first.GetExternalUserID(), again.ID == first.ID)
	// Output:
	// ada@example.com customer-42 true
}

// Step 2: start an onboarding. The end user opens the session's
// authentication_url and connects a device; WaitForOnboarding polls until
// the device is connected (object_id set is not enough: see its doc).
func Example_startOnboarding() {
	srv, c := fake()
	defer srv.Close()
	ctx := context.Background()
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}

	session, err := c.CreateOnboardingSession(ctx, api.DeviceOnboardingSessionCreateInput{
		UserID: user.ID, Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT,
		DeviceType: api.Value(api.DeviceKindEV),
		SuccessURL: "https://partner.example/connected", CancelURL: "https://partner.example/cancelled",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("send the user to the link:", session.GetAuthenticationURL() != "")

	// What the end user does: open the link, connect the car in Podero's
	// Connect UI (the examples' fake connects it at once).
	resp, err := http.Get(session.GetAuthenticationURL())
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	done, err := c.WaitForOnboarding(ctx, session.GetID(), api.WithMaxWait(10*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("device connected:", done.Kind, done.Device.Healthy())
	// Output:
	// send the user to the link: true
	// device connected: ev true
}

// carStatus is what a dashboard shows of a car: its name, battery, charge
// status, and whether the user or the partner must act on it.
func carStatus(ctx context.Context, c *api.PartnerClient, user, car api.UUID) (string, error) {
	ev, err := c.GetElectricVehicle(ctx, user, car)
	if err != nil {
		return "", err
	}
	status := fmt.Sprintf("%s %s: %d%%, %s", ev.GetDeviceModel().GetManufacturer(), ev.GetDeviceModel().GetModel(),
		ev.GetBatteryLevel(), ev.ChargeStatus())
	if ev.NeedsAttention() { // not authenticated, action_needed, or a reauthenticate action
		status += ", needs attention"
	}
	return status, nil
}

// Step 3: read a car's battery and charge state.
func Example_carStatus() {
	srv, c := fake()
	defer srv.Close()
	ctx := context.Background()
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	car := srv.addCar() // as a finished onboarding would
	srv.setCharging(car, true)
	status, err := carStatus(ctx, c, user.ID, car)
	fmt.Println(status, err)

	srv.requireReauthentication(car) // the manufacturer revoked the connection
	status, err = carStatus(ctx, c, user.ID, car)
	fmt.Println(status, err)
	// Output:
	// Renault Zoe: 60%, Charging <nil>
	// Renault Zoe: 60%, Charging, needs attention <nil>
}

// Step 4: boost a car ("charge now"). A car that is charging or full
// refuses with a 409 whose body says why: api.BoostConflict reads it.
func Example_boost() {
	srv, c := fake()
	defer srv.Close()
	ctx := context.Background()
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	car := srv.addCar()
	srv.setCharging(car, true)

	err = c.TriggerElectricVehicleBoost(ctx, user.ID, car)
	if conflict, ok := api.BoostConflict(err); ok {
		fmt.Println("no boost:", conflict.GetReason())
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(err)
	// Output:
	// no boost: already_charging
	// podero: TriggerElectricVehicleBoost: 409 Conflict: already_charging
}

// Step 5: sum a month of charging sessions. The iterator fetches pages of
// up to 200 as the loop needs them.
func Example_monthOfSessions() {
	srv, c := fake()
	defer srv.Close()
	ctx := context.Background()
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	car := srv.addCar()
	srv.addSessions(car, 30) // an hour apart

	now := time.Now()
	params := api.ListElectricVehicleSessionsParams{From: api.NewDate(now.AddDate(0, -1, 0)), To: api.NewDate(now)}
	var kWh float64
	n := 0
	for s, err := range c.ListElectricVehicleSessionsIter(ctx, user.ID, car, params) {
		if err != nil {
			log.Fatal(err)
		}
		kWh += s.GetEnergyChargedKwh()
		n++
	}
	fmt.Printf("%d sessions, %.1f kWh\n", n, kWh)
	// Output:
	// 30 sessions, 720.0 kWh
}

// Per-call options: a retry policy and a timeout for one call, and what the
// response looked like.
func ExampleWithResponseInfo() {
	srv, c := fake()
	defer srv.Close()
	srv.failNext(503)

	var info api.ResponseInfo
	_, err := c.ListUsers(context.Background(), api.ListUsersParams{},
		api.WithRetry(&api.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond}),
		api.WithTimeout(10*time.Second),
		api.WithResponseInfo(&info))
	fmt.Println(err, info.StatusCode, info.Attempts)
	// Output:
	// <nil> 200 2
}
