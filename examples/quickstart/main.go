// Command quickstart walks the journey a Podero partner builds: get a token,
// create an end user, add a building, onboard an electric vehicle, read it,
// boost it, reauthenticate it and list its charging sessions.
//
//	go run ./examples/quickstart
//
// With no credentials in the environment it runs against poderotest, an
// in-memory Podero started in-process, and plays the end user's part (the
// onboarding) itself. With PODERO_CLIENT_ID, PODERO_CLIENT_SECRET and
// PODERO_ORG_ID set it runs against Podero:
//
//	PODERO_ENV       sandbox (the default) or production
//	PODERO_BASE_URL  another API host (a proxy, a test server); overrides PODERO_ENV
//	PODERO_USER_ID   an end user who has onboarded a vehicle: skip to the vehicle steps
//
// Against Podero the program cannot finish an onboarding, which the end user
// does in a browser: it prints the onboarding link and stops there. Open the
// link, connect a vehicle, and run again with PODERO_USER_ID set to continue.
//
// The program creates a user (quickstart+<random>@example.com) each run
// without PODERO_USER_ID; nothing is deleted, as the API has no delete.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}
