// Command podero-drift surveys where the Podero API differs from the SDK's
// pinned spec, and writes a Markdown report of it.
//
//	go run ./cmd/podero-drift [-o report.md] [flags]
//
// With PODERO_CLIENT_ID, PODERO_CLIENT_SECRET and PODERO_ORG_ID set (and
// PODERO_ENV, sandbox by default or production, or PODERO_BASE_URL), it
// walks the read-only operations it can reach from the organization: the
// users; the first few users' buildings, energy contracts, charging
// configuration and devices; each device's detail, sessions, data, savings,
// schedules and statistics for a recent window; the organization's savings
// and the prices. Every request is a GET (the token request excepted): it
// changes nothing. It is polite: one request at a time, a pause between
// them, and a budget after which it stops. Each response goes through
// api/speccheck, and the report lists the operations called and their
// statuses, every distinct mismatch with the number of responses it was
// seen in, the undeclared properties with the JSON types seen (and a JSON
// Schema for them, as a suggestion), and the operations it could not
// reach. It never shows a value from a response, nor an id.
//
// With none of the three variables set, it runs the same survey on
// poderotest, an in-memory Podero with drift injected on purpose, to show
// what a report looks like. Nothing leaves the machine.
//
// Flags:
//
//	-o file       write the report to file instead of standard output
//	-budget n     send at most n API requests (default 100)
//	-pause d      wait d between requests (default 500ms; none on poderotest unless set)
//	-users n      survey the first n users (default 3)
//	-devices n    survey at most n devices of each user (default 4)
//	-days n       the window for sessions, data, savings and prices: the last n days (default 7)
//	-zone z       the price zone for the price operations (default AT)
//
// The exit status is 0 when the survey ran, whatever it found; 1 when it
// could not run (an incomplete environment, no response at all); 2 for a
// bad flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// settings are the flags.
type settings struct {
	out       string
	budget    int
	pause     time.Duration
	pauseSet  bool
	users     int
	devices   int
	days      int
	priceZone string
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	var s settings
	fs := flag.NewFlagSet("podero-drift", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.out, "o", "", "write the report to `file` instead of standard output")
	fs.IntVar(&s.budget, "budget", 100, "send at most `n` API requests")
	fs.DurationVar(&s.pause, "pause", 500*time.Millisecond, "wait `d` between requests (none on poderotest unless set)")
	fs.IntVar(&s.users, "users", 3, "survey the first `n` users")
	fs.IntVar(&s.devices, "devices", 4, "survey at most `n` devices of each user")
	fs.IntVar(&s.days, "days", 7, "the window for sessions, data, savings and prices: the last `n` days")
	fs.StringVar(&s.priceZone, "zone", "AT", "the price `zone` for the price operations")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: podero-drift [flags]\n\nSurveys where the Podero API differs from the pinned spec (see go doc ./cmd/podero-drift).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	fs.Visit(func(f *flag.Flag) { s.pauseSet = s.pauseSet || f.Name == "pause" })
	switch {
	case fs.NArg() > 0:
		return s, fmt.Errorf("unexpected arguments: %q", fs.Args())
	case s.budget < 1:
		return s, errors.New("-budget must be at least 1")
	case s.pause < 0:
		return s, errors.New("-pause must not be negative")
	case s.users < 0 || s.devices < 0:
		return s, errors.New("-users and -devices must not be negative")
	case s.days < 1:
		return s, errors.New("-days must be at least 1")
	}
	return s, nil
}

// run is the command: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	s, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "podero-drift:", err)
		return 2
	}
	t, err := chooseTarget(env)
	if err != nil {
		fmt.Fprintln(stderr, "podero-drift:", err)
		return 1
	}
	if t.fake != nil {
		defer t.fake.Close()
		if !s.pauseSet {
			s.pause = 0 // the fake needs no politeness
		}
	}
	fmt.Fprintln(stderr, t.about)
	rep, err := survey(ctx, t, s)
	if err != nil {
		fmt.Fprintln(stderr, "podero-drift:", err)
		return 1
	}
	if err := writeReport(rep, s.out, stdout); err != nil {
		fmt.Fprintln(stderr, "podero-drift: write the report:", err)
		return 1
	}
	if s.out != "" {
		fmt.Fprintf(stderr, "podero-drift: wrote %s: %d requests, %d distinct mismatches\n", s.out, rep.requests, len(rep.summary.Mismatches))
	}
	if rep.answered == 0 {
		fmt.Fprintln(stderr, "podero-drift: no operation answered with a 2xx: check PODERO_CLIENT_ID, PODERO_CLIENT_SECRET, PODERO_ORG_ID and PODERO_ENV")
		return 1
	}
	return 0
}

// writeReport writes the report to the file named path, or to stdout when
// path is "".
func writeReport(rep *report, path string, stdout io.Writer) error {
	if path == "" {
		return rep.write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
