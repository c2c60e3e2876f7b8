// Command quickstart walks the journey a Podero partner builds: get a token,
// create an end user, add a building, onboard an electric vehicle, read it,
// boost it and disarm the boost, reauthenticate it and list its charging
// sessions.
//
//	go run ./examples/quickstart
//
// With no credentials in the environment it runs against poderotest, an
// in-memory Podero started in-process, and plays the end user's part (the
// onboarding) itself: every step runs, and nothing leaves the machine. With
// PODERO_CLIENT_ID, PODERO_CLIENT_SECRET and PODERO_ORG_ID set it runs
// against Podero:
//
//	PODERO_ENV              sandbox (the default) or production
//	PODERO_BASE_URL         another API host (a proxy, a test server); overrides PODERO_ENV
//	PODERO_TOKEN_URL        another token endpoint; by default the guides' /oauth2/token/ on the API host
//	PODERO_USER_ID          an end user who has onboarded a vehicle: skip to the vehicle steps
//	PODERO_QUICKSTART_BOOST 1 to boost the vehicle (see below); by default that step is skipped
//
// Against Podero the program cannot finish an onboarding, which the end user
// does in a browser: it prints the onboarding link and stops there. Open the
// link, connect a vehicle, and run again with PODERO_USER_ID set to continue.
//
// Against Podero the program changes real data, none of which it can delete
// (the API has no delete):
//
//   - Each run without PODERO_USER_ID creates a new end user
//     (quickstart+<random>@example.com, external id quickstart-<random>), a
//     building and an onboarding session.
//   - Each run with PODERO_USER_ID creates a reauthentication session for
//     the user's first vehicle and prints its link. Nobody has to open it.
//   - Only with PODERO_QUICKSTART_BOOST=1, it asks Podero to start charging
//     that real vehicle now (a boost) and disarms the boost in the next
//     step. If the program fails or is killed in between, the boost stays
//     armed: disarm it with DisarmElectricVehicleBoost.
//     A vehicle that is charging or full refuses the boost (409), which the
//     program reports without failing.
//
// Use the sandbox (the default) rather than production to try it out.
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
