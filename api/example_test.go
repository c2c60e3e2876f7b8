package api_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
)

func ExampleNew() {
	client, err := api.New(api.Config{
		BaseURL:      api.SandboxBaseURL, // the default is api.ProductionBaseURL
		ClientID:     os.Getenv("PODERO_CLIENT_ID"),
		ClientSecret: os.Getenv("PODERO_CLIENT_SECRET"),
		UserAgent:    "my-service/1.0",
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		log.Fatal(err)
	}
	orgID := uuid.MustParse(os.Getenv("PODERO_ORG_ID"))
	resp, err := client.ListUsersWithResponse(context.Background(), orgID, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range *resp.JSON200 {
		fmt.Println(u.ID, u.Email)
	}
}

// Every response that is not a 2xx is an *api.Error, with the body the spec
// declares for it (here the boost's 409) decoded into Payload.
func ExampleError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"state": "ongoing", "reason": "already_charging"}`)
	}))
	defer srv.Close()
	client, err := api.New(api.Config{BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})})
	if err != nil {
		log.Fatal(err)
	}
	org, user, ev := uuid.New(), uuid.New(), uuid.New()

	_, err = client.TriggerElectricVehicleBoostWithResponse(context.Background(), org, user, ev)
	var apiErr *api.Error
	switch {
	case api.IsConflict(err) && errors.As(err, &apiErr):
		conflict := apiErr.Payload.(*api.BoostConflictOutput)
		fmt.Println("no boost:", *conflict.Reason, "while", *conflict.State)
	case api.IsNotFound(err):
		fmt.Println("no such vehicle")
	case err != nil:
		log.Fatal(err)
	}
	// Output: no boost: already_charging while ongoing
}

// Retries are on by default for idempotent calls; tune or turn them off.
func ExampleRetryPolicy() {
	client, err := api.New(api.Config{
		ClientID:     os.Getenv("PODERO_CLIENT_ID"),
		ClientSecret: os.Getenv("PODERO_CLIENT_SECRET"),
		Retry: &api.RetryPolicy{
			MaxRetries:     5,                      // 0 turns retries off
			InitialBackoff: 200 * time.Millisecond, // doubled each retry, with jitter
			MaxBackoff:     10 * time.Second,
			MaxRetryAfter:  30 * time.Second, // longer Retry-After: return the 429 instead
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}

// The ...Iter methods walk a paginated list page by page.
func ExampleClientWithResponses_ListElectricVehicleSessionsIter() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A stand-in for Podero with 5 sessions, answering by limit and offset.
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"total": 5, "items": [`)
		for i := offset; i < min(offset+limit, 5); i++ {
			if i > offset {
				fmt.Fprint(w, ",")
			}
			fmt.Fprintf(w, `{"plug_in_time": "2026-11-0%dT18:00:00Z", "energy_charged_kwh": %d.5}`, i+1, 10+i)
		}
		fmt.Fprint(w, `]}`)
	}))
	defer srv.Close()
	client, err := api.New(api.Config{BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})})
	if err != nil {
		log.Fatal(err)
	}
	org, user, ev := uuid.New(), uuid.New(), uuid.New()

	limit := 2 // small pages for the example; the default is the largest, 200
	params := api.ListElectricVehicleSessionsParams{Limit: &limit}
	params.From.Time = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	params.To.Time = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for session, err := range client.ListElectricVehicleSessionsIter(context.Background(), org, user, ev, params) {
		if err != nil {
			log.Fatal(err)
		}
		plugIn, _ := session.PlugInTime.Get() // nullable: the zero time if null or absent
		kWh, _ := session.EnergyChargedKwh.Get()
		fmt.Println(plugIn.Format(time.DateOnly), kWh, "kWh")
	}
	// Output:
	// 2026-11-01 10.5 kWh
	// 2026-11-02 11.5 kWh
	// 2026-11-03 12.5 kWh
	// 2026-11-04 13.5 kWh
	// 2026-11-05 14.5 kWh
}
