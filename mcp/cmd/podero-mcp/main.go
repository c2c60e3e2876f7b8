// Command podero-mcp serves the Podero Partner API to MCP clients (an
// assistant, an agent): a tool per operation and journey tools on top (see
// package github.com/podero-go/podero/mcp).
//
//	podero-mcp                       # stdio, as an MCP client starts it
//	podero-mcp --http 127.0.0.1:8765 # streamable HTTP at http://127.0.0.1:8765/mcp
//	podero-mcp --fake                # an in-memory Podero, no account needed
//	podero-mcp --allow-writes        # also the tools that change data
//
// Credentials come from PODERO_CLIENT_ID, PODERO_CLIENT_SECRET (or
// --client-secret-file) and PODERO_ORG_ID; PODERO_ENV, PODERO_BASE_URL and
// PODERO_TOKEN_URL choose the host. Logs go to standard error, never a
// secret.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/fakepodero"
	"github.com/podero-go/podero/internal/partnerenv"
	"github.com/podero-go/podero/mcp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "podero-mcp:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends or the stdio client goes away. listening, if
// set, gets the HTTP server's address once it listens.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, listening func(addr string)) error {
	fs := flag.NewFlagSet("podero-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fake := fs.Bool("fake", false, "serve an in-memory Podero seeded with sample data, not the real one")
	allowWrites := fs.Bool("allow-writes", false, "also serve the tools of operations that change data (POST, PUT, PATCH, DELETE)")
	addr := fs.String("http", "", "serve streamable HTTP on this address (at /mcp) instead of stdio")
	secretFile := fs.String("client-secret-file", "", "read the client secret from this file instead of PODERO_CLIENT_SECRET")
	debug := fs.Bool("debug", false, "log every request to the API (operation, method, path, status) to standard error; never a secret")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var cfg api.Config
	opts := mcp.Options{AllowWrites: *allowWrites, Logger: logger}
	if *fake {
		f, err := fakepodero.Start(ctx)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg, opts.EndUser = f.Config(), f.PlayEndUser
		logger.Info("serving an in-memory Podero seeded with sample data; nothing leaves this machine",
			"user_id", f.UserID, "electric_vehicle_id", f.VehicleID, "heat_pump_id", f.HeatPumpID)
	} else {
		env := getenv
		if *secretFile != "" {
			b, err := os.ReadFile(*secretFile)
			if err != nil {
				return fmt.Errorf("--client-secret-file: %w", err)
			}
			secret := strings.TrimRight(string(b), "\r\n")
			env = func(k string) string {
				if k == "PODERO_CLIENT_SECRET" {
					return secret
				}
				return getenv(k)
			}
		}
		s, err := partnerenv.Read(env, "to serve Podero, or none with --fake")
		if err != nil {
			return err
		}
		if s == nil {
			return errors.New("no credentials: set " + strings.Join(partnerenv.Credentials, ", ") + ", or pass --fake to serve an in-memory Podero")
		}
		cfg = s.Config
	}
	cfg.UserAgent = "podero-mcp"
	if *debug {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	c, err := api.New(cfg)
	if err != nil {
		return err
	}
	server := mcp.NewServer(c, opts)
	if *addr == "" {
		err := server.Run(ctx, &mcpsdk.StdioTransport{})
		if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	return serveHTTP(ctx, server, *addr, logger, listening)
}

// serveHTTP serves streamable HTTP at /mcp until ctx ends.
func serveHTTP(ctx context.Context, server *mcpsdk.Server, addr string, logger *slog.Logger, listening func(string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcpsdk.NewStreamableHTTPHandler(func(*http.Request) *mcpsdk.Server { return server }, nil))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("serving streamable HTTP", "url", "http://"+ln.Addr().String()+"/mcp")
	if listening != nil {
		listening(ln.Addr().String())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}
