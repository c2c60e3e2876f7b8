package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/podero-go/podero/internal/fakepodero"
)

// fakeServerCommand serves the seeded fake until interrupted, for a
// session of several commands (--fake starts a fresh fake each run, whose
// ids the next run does not know).
func (a *app) fakeServerCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "fake-server",
		GroupID: "other",
		Short:   "Serve the in-memory Podero that --fake uses, for a session of several commands",
		Long: `fake-server starts the in-memory Podero that --fake runs against, seeded the
same way, on a loopback port, and serves it until interrupted. It writes the
client secret to the file --client-secret-file names (mode 0600) and prints
the environment that points podero (or a program of your own) at it:

  podero fake-server --client-secret-file /tmp/podero-secret &
  export PODERO_BASE_URL=... PODERO_CLIENT_ID=... PODERO_ORG_ID=...
  podero --client-secret-file /tmp/podero-secret users list

Play the end user of an onboarding by opening its authentication_url
(curl is enough): the fake connects the device.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.flags.secretFile == "" || a.flags.secretFile == "-" {
				return usageErr(errors.New("fake-server needs --client-secret-file FILE, where it writes the client secret"))
			}
			f, err := fakepodero.Start(cmd.Context())
			if err != nil {
				return &runError{err}
			}
			defer f.Close()
			if err := os.WriteFile(a.flags.secretFile, []byte(f.ClientSecret+"\n"), 0o600); err != nil {
				return &runError{err}
			}
			fmt.Fprintf(a.stdout, "export PODERO_BASE_URL=%s PODERO_CLIENT_ID=%s PODERO_ORG_ID=%s\n", f.URL, f.ClientID, f.OrgID)
			fmt.Fprintf(a.stdout, "# the client secret is in %s; seeded: user %s (external id quickstart), building %s,\n# electric vehicle %s, heat pump %s (needs a reauthentication)\n",
				a.flags.secretFile, f.UserID, f.BuildingID, f.VehicleID, f.HeatPumpID)
			<-cmd.Context().Done()
			return nil
		},
	}
}
