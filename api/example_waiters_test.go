package api_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/podero-go/podero/api"
)

// Wait for the end user to connect a device: poll the onboarding session
// until its device is connected, then read what it is.
func ExamplePartnerClient_WaitForOnboarding() {
	srv, c := fake()
	defer srv.Close()
	ctx := context.Background()
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	session, err := c.CreateOnboardingSession(ctx, api.DeviceOnboardingSessionCreateInput{
		UserID: user.ID, Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT,
		SuccessURL: "https://partner.example/connected", CancelURL: "https://partner.example/cancelled",
	})
	if err != nil {
		log.Fatal(err)
	}
	// What the end user does: open the link and connect a device in
	// Podero's Connect UI.
	resp, err := http.Get(session.GetAuthenticationURL())
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()

	done, err := c.WaitForOnboarding(ctx, session.GetID(), api.WithMaxWait(10*time.Minute),
		api.WithProgress(func(p api.WaitProgress) { fmt.Println("poll", p.Poll, "done:", p.Done) }))
	var timeout *api.WaitTimeoutError
	switch {
	case errors.As(err, &timeout):
		log.Fatalf("not connected after %v: %v", timeout.Waited, err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("connected:", done.Kind, done.Device.Healthy())
	// Output:
	// poll 1 done: true
	// connected: ev true
}

// Build a day's price upload and see it refused before anything is sent.
func ExampleDayAheadPrices() {
	now := time.Date(2026, 1, 14, 8, 45, 0, 0, time.UTC) // time.Now() in real code
	tomorrow := api.NewDate(now.AddDate(0, 0, 1))
	prices := make([]float64, api.SlotsPerDay) // EUR/MWh, one per 15 minutes
	for i := range prices {
		prices[i] = 60 + float64(i%8)
	}

	body, err := api.NewDayAheadPrices(api.MarketPriceZoneAT).AddDay(tomorrow, prices).Build(now)
	fmt.Println(len(body.Data), "slots from", body.Data[0].Timestamp.Format(time.RFC3339), err)

	// A quarter of an hour short, and a price per kWh by mistake.
	short := api.NewDayAheadPrices(api.MarketPriceZoneAT).AddDay(tomorrow, prices[:95])
	_, err = short.Build(now)
	fmt.Println(err)
	fmt.Println(api.EURPerKWhToEURPerMWh(0.085), "EUR/MWh")
	// Output:
	// 96 slots from 2026-01-15T00:00:00Z <nil>
	// podero: day-ahead prices: slot 95 (2026-01-15T23:45:00Z): missing: the day 2026-01-15 ends at 23:45Z, and every day needs its 96 slots
	// 85 EUR/MWh
}

// The day's deadlines for delivery on 16 January, in Berlin time.
func ExampleNewDayAheadTimeline() {
	tl := api.NewDayAheadTimeline(api.NewDate(time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)))
	for _, d := range []struct {
		what string
		at   time.Time
	}{
		{"upload prices", tl.PricesDue}, {"fetch load curves", tl.LoadCurvesReady}, {"market closes", tl.MarketClose},
		{"confirm (intraday)", tl.ConfirmIntradayBy}, {"confirm", tl.ConfirmBy},
	} {
		fmt.Printf("%-18s %s\n", d.what, d.at.Format("Mon 2 Jan 15:04 MST"))
	}
	// Output:
	// upload prices      Thu 15 Jan 09:00 CET
	// fetch load curves  Thu 15 Jan 10:30 CET
	// market closes      Thu 15 Jan 12:00 CET
	// confirm (intraday) Thu 15 Jan 14:30 CET
	// confirm            Thu 15 Jan 23:30 CET
}
