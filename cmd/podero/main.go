// Command podero uses the Podero Partner API from a shell: a command per
// operation, grouped by resource, generated from the spec
// (commands.gen.go), and commands on top for what a support person does:
// wait for an onboarding, see how a car is, list the devices that need
// attention.
//
//	podero users list
//	podero electric-vehicles get USER_ID ELECTRIC_VEHICLE_ID
//	podero call GetElectricVehicle USER_ID ELECTRIC_VEHICLE_ID
//	podero --fake users list    # an in-memory Podero, no account needed
//
// Credentials come from PODERO_CLIENT_ID, PODERO_CLIENT_SECRET (or
// --client-secret-file) and PODERO_ORG_ID; PODERO_ENV, PODERO_BASE_URL and
// PODERO_TOKEN_URL choose the host. Run `podero --help` for the rest, and
// `podero help exit-codes` for what the exit status says.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], &app{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		terminal: term.IsTerminal(int(os.Stdout.Fd())),
	})
	stop()
	os.Exit(code)
}

// app is one run of the command: where it reads and writes, and what its
// flags say.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// terminal: stdout is a terminal, so the output is a table unless
	// --output says otherwise.
	terminal bool
	// fake, when set, is the fake that --fake runs against (tests share
	// one between runs); otherwise --fake starts one for the run.
	fake *fakeTarget

	flags globalFlags
	// sent are the credentials the run's client sent, which no output
	// shows.
	sent sentCredentials
}
