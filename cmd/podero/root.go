package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/fakepodero"
	"github.com/podero-go/podero/internal/partnerenv"
)

// globalFlags are the flags every command has.
type globalFlags struct {
	output     string
	fake       bool
	debug      bool
	quiet      bool
	secretFile string
	timeout    time.Duration
}

// fakeTarget is the fake --fake runs against, and how the journey
// commands play the end user on it.
type fakeTarget = fakepodero.Fake

const rootLong = `podero uses the Podero Partner API from a shell.

Every operation of the API is a command, grouped by the resource it acts
on (podero electric-vehicles get USER_ID ELECTRIC_VEHICLE_ID), and also
reachable by its Go name (podero call GetElectricVehicle ...). Path
parameters are arguments, query parameters flags, and a request body comes
from a flag per field or from --data '{...}', --data @file.json or --data @-.

Credentials come from the environment, never from a flag:

  PODERO_CLIENT_ID, PODERO_CLIENT_SECRET, PODERO_ORG_ID   all three
  PODERO_ENV        sandbox (the default) or production
  PODERO_BASE_URL   another API host; overrides PODERO_ENV
  PODERO_TOKEN_URL  another token endpoint

--client-secret-file FILE (- for standard input) takes the secret instead
of PODERO_CLIENT_SECRET. --fake runs against an in-memory Podero started for
the run and seeded as the quickstart leaves it: a user, Quinn
(external id "quickstart"), with a building, an electric vehicle and a heat
pump that needs a reauthentication. Nothing leaves the machine.

The output is a table on a terminal and JSON otherwise; --output chooses.
It is the answer as the server sent it, properties the API spec does not
declare included; a note on standard error names those (--quiet hides it).
Errors go to standard error, and the exit status says what kind of error
it was: see podero help exit-codes.`

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "podero",
		Short:         "Use the Podero Partner API from a shell",
		Long:          rootLong,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       api.Version,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	pf := root.PersistentFlags()
	pf.StringVarP(&a.flags.output, "output", "o", "", "output format: json, yaml or table (default: table on a terminal, json otherwise)")
	pf.BoolVar(&a.flags.fake, "fake", false, "run against an in-memory Podero seeded with sample data, not the real one")
	pf.BoolVar(&a.flags.debug, "debug", false, "log every request (operation, method, path, status, duration) to standard error; never a secret")
	pf.BoolVar(&a.flags.quiet, "quiet", false, "no notes on standard error, such as the one naming properties of an answer that the API spec does not declare")
	pf.StringVar(&a.flags.secretFile, "client-secret-file", "", "read the client secret from this file (- for standard input) instead of PODERO_CLIENT_SECRET")
	pf.DurationVar(&a.flags.timeout, "timeout", 0, "bound each attempt of a call (default 60s)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json", "yaml", "table"}, cobra.ShellCompDirectiveNoFileComp))

	root.AddGroup(&cobra.Group{ID: "resources", Title: "Resources:"}, &cobra.Group{ID: "other", Title: "Other commands:"})
	root.SetHelpCommandGroupID("other")
	root.SetCompletionCommandGroupID("other")
	call := &cobra.Command{
		Use:     "call OPERATION [ARGS]",
		Short:   "Call any operation by its Go name, as the SDK's PartnerClient method",
		GroupID: "other",
		Long: "call reaches every operation by the name of its PartnerClient method\n" +
			"(podero call GetElectricVehicle USER_ID ELECTRIC_VEHICLE_ID), with the same\n" +
			"arguments and flags as its resource command.",
	}
	call.Args, call.RunE = cobra.ArbitraryArgs, groupRun
	root.AddCommand(call)
	groups := map[string]*cobra.Command{}
	for _, c := range commands {
		g := groups[c.group]
		if g == nil {
			g = &cobra.Command{Use: c.group, Short: "Operations on " + strings.ReplaceAll(c.group, "-", " "), GroupID: "resources",
				Args: cobra.ArbitraryArgs, RunE: groupRun}
			groups[c.group] = g
			root.AddCommand(g)
		}
		g.AddCommand(a.operationCommand(c, c.verb))
		call.AddCommand(a.operationCommand(c, c.op))
	}
	a.addJourneys(groups)
	root.AddCommand(exitCodesTopic(), a.fakeServerCommand())
	return root
}

// groupRun runs a group of commands: without a command it shows its help;
// with another word it refuses it, as cobra does at the root.
func groupRun(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	return usageErr(fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()))
}

// run executes the command line and returns the exit status.
func run(ctx context.Context, args []string, a *app) int {
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	msg := err.Error()
	if !strings.HasPrefix(msg, "podero: ") {
		msg = "podero: " + msg
	}
	fmt.Fprintln(a.stderr, msg)
	if code == exitUsage {
		fmt.Fprintln(a.stderr, "Run 'podero --help' or 'podero COMMAND --help' for usage.")
	}
	return code
}

// errNoCredentials: neither the environment nor --fake says where to run.
var errNoCredentials = errors.New("no credentials: set " + strings.Join(partnerenv.Credentials, ", ") +
	" (or use --client-secret-file for the secret), or pass --fake to try an in-memory Podero")

// client returns a client for where the flags and the environment say,
// and the fake when it runs against one. done releases it.
func (a *app) client(ctx context.Context) (c *api.PartnerClient, fake *fakeTarget, done func(), err error) {
	done = func() {}
	var cfg api.Config
	switch {
	case a.flags.fake:
		fake = a.fake
		if fake == nil {
			if fake, err = fakepodero.Start(ctx); err != nil {
				return nil, nil, nil, err
			}
			done = fake.Close
		}
		cfg = fake.Config()
	default:
		env := a.getenv
		if a.flags.secretFile != "" {
			secret, err := a.readSecretFile(a.flags.secretFile)
			if err != nil {
				return nil, nil, nil, usageErr(fmt.Errorf("--client-secret-file: %w", err))
			}
			env = func(k string) string {
				if k == "PODERO_CLIENT_SECRET" {
					return secret
				}
				return a.getenv(k)
			}
		}
		s, err := partnerenv.Read(env, "to run against Podero, or none with --fake")
		switch {
		case err != nil:
			return nil, nil, nil, &credentialsError{err}
		case s == nil:
			return nil, nil, nil, &credentialsError{errNoCredentials}
		}
		cfg = s.Config
	}
	cfg.UserAgent = "podero-cli"
	cfg.Timeout = a.flags.timeout
	if a.flags.debug {
		// The client logs each attempt without headers, bodies, tokens or
		// a secret query parameter (see api.Config.Logger).
		cfg.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	a.sent.record(&cfg)
	if c, err = api.New(cfg); err != nil {
		done()
		return nil, nil, nil, err
	}
	return c, fake, done, nil
}

// readSecretFile reads a secret from a file, or standard input for "-",
// without its line ending.
func (a *app) readSecretFile(name string) (string, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = readAll(a.stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return "", err
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("%s is empty", name)
	}
	return s, nil
}

// credentialsError: the environment does not say how to authenticate.
type credentialsError struct{ error }

func (e *credentialsError) Unwrap() error { return e.error }
