// Package mcp is an MCP (Model Context Protocol) server for the Podero
// Partner API, on the official Go SDK (github.com/modelcontextprotocol/go-sdk):
// a tool per operation, generated from the spec (tools.gen.go), and journey
// tools on top from the SDK's domain helpers. An assistant that answers a
// support ticket can look at a user's car, see why a heat pump needs
// attention, or wait for an onboarding.
//
// The tools only read by default; the tools of operations that write
// (POST, PUT, PATCH, DELETE) are listed and callable only with
// [Options.AllowWrites]. Every call goes through an api.PartnerClient, so
// its errors name the call and the status and never carry a secret.
//
// Command podero-mcp (mcp/cmd/podero-mcp) serves it over stdio or
// streamable HTTP. It is a module of its own, so that a service importing
// only package api never downloads the MCP SDK.
package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/journey"
	"github.com/podero-go/podero/internal/opcall"
)

// Version is the server's version, as it introduces itself.
const Version = api.Version

// Options configure [NewServer].
type Options struct {
	// AllowWrites adds the tools of the operations that write. Without it
	// they are neither listed nor callable: a call is refused with a
	// message that says why.
	AllowWrites bool
	// EndUser, if set, plays the end user of an onboarding for
	// wait_for_onboarding: the fake's (see podero-mcp --fake). Against
	// Podero a person opens the link, and it is nil.
	EndUser func(sessionID api.UUID) error
	// Logger, if set, gets the server's own log records.
	Logger *slog.Logger
}

// tool is an operation's tool, as gen writes them into tools.gen.go.
type tool struct {
	op, name, title, description string
	readOnly, destructive        bool
	idempotent                   bool
	// inputSchema is the JSON Schema (2020-12) of the arguments: the
	// operation's parameters by their names in the spec, and "body".
	inputSchema string
}

// NewServer returns an MCP server whose tools call c.
func NewServer(c *api.PartnerClient, opts Options) *mcpsdk.Server {
	s := mcpsdk.NewServer(&mcpsdk.Implementation{Name: "podero", Title: "Podero Partner API", Version: Version},
		&mcpsdk.ServerOptions{Logger: opts.Logger, Instructions: instructions})
	refused := map[string]bool{}
	u := &undeclaredLog{logger: opts.Logger}
	for _, t := range tools {
		op := opcall.Lookup(t.op)
		if op == nil {
			panic("mcp: tools.gen.go names " + t.op + ", which internal/opcall does not have; run make generate")
		}
		if !t.readOnly && !opts.AllowWrites {
			refused[t.name] = true
			continue
		}
		s.AddTool(t.sdkTool(), operationHandler(c, op, u))
	}
	addJourneys(s, c, opts)
	// A write tool is not listed without AllowWrites; a call of one by
	// name gets a tool error that says so, not "unknown tool".
	s.AddReceivingMiddleware(func(next mcpsdk.MethodHandler) mcpsdk.MethodHandler {
		return func(ctx context.Context, method string, req mcpsdk.Request) (mcpsdk.Result, error) {
			if ct, ok := req.(*mcpsdk.CallToolRequest); ok && method == "tools/call" && refused[ct.Params.Name] {
				return toolError(fmt.Errorf("%s changes data at Podero, and this server only reads: start it with --allow-writes (Options.AllowWrites) to allow writes", ct.Params.Name)), nil
			}
			return next(ctx, method, req)
		}
	})
	return s
}

const instructions = `Tools for the Podero Partner API: a partner's end users, their buildings, and
their devices (electric vehicles, heat pumps, solar inverters, wallboxes).
Start from a user (list_users, get_user_by_external_id), then their devices.
car_status and devices_needing_attention say how things are; a device that
needs attention has pending actions (reauthenticate: the end user reconnects).`

func (t tool) sdkTool() *mcpsdk.Tool {
	destructive := t.destructive
	return &mcpsdk.Tool{
		Name: t.name, Title: t.title, Description: t.description,
		InputSchema: json.RawMessage(t.inputSchema),
		Annotations: &mcpsdk.ToolAnnotations{Title: t.title, ReadOnlyHint: t.readOnly,
			DestructiveHint: &destructive, IdempotentHint: t.idempotent},
	}
}

// operationHandler calls op with the tool's arguments and returns its JSON
// body, as the server sent it (opcall.Show: undeclared properties included,
// numbers as written, secrets redacted), as the result's text.
func operationHandler(c *api.PartnerClient, op *opcall.Op, u *undeclaredLog) mcpsdk.ToolHandler {
	return func(ctx context.Context, req *mcpsdk.CallToolRequest) (*mcpsdk.CallToolResult, error) {
		args := opcall.Args{Params: map[string]json.RawMessage{}}
		if raw := req.Params.Arguments; len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
			var in map[string]json.RawMessage
			if err := json.Unmarshal(raw, &in); err != nil {
				return toolError(errors.New("the arguments must be a JSON object")), nil
			}
			for k, v := range in {
				if k != "body" {
					args.Params[k] = v
					continue
				}
				args.Body = v
				if op.Body != nil && op.Body.MediaTypes != nil { // sent as it is: a JSON string
					var s string
					if err := json.Unmarshal(v, &s); err != nil {
						return toolError(errors.New("body: want a string")), nil
					}
					args.Body = []byte(s)
				}
			}
		}
		var body []byte // the 2xx body as received, which the result carries
		args.Options = append(args.Options, api.WithRedactedRawBody(&body))
		res, err := op.Call(ctx, c, args)
		if err != nil {
			return toolError(err), nil
		}
		if res == nil {
			return &mcpsdk.CallToolResult{Content: []mcpsdk.Content{&mcpsdk.TextContent{
				Text: op.Name + " succeeded: the answer has no body."}}}, nil
		}
		if b, ok := res.([]byte); ok {
			return &mcpsdk.CallToolResult{Content: []mcpsdk.Content{&mcpsdk.TextContent{Text: string(b)}}}, nil
		}
		secrets := args.Secrets(op)
		u.log(ctx, op.Name, opcall.Undeclared(res, secrets))
		if text, err := opcall.Show(body, secrets); err == nil && len(body) > 0 {
			return &mcpsdk.CallToolResult{Content: []mcpsdk.Content{&mcpsdk.TextContent{Text: string(text)}}}, nil
		}
		// The SDK decoded what encoding/json does not read: the decoded result.
		return jsonResult(res, secrets)
	}
}

// undeclaredLog tells the server's log which properties of the answers the
// pinned spec does not declare: once per operation and set of properties,
// not per call. The model gets no such note: the tools declare no output
// schema, so the undeclared properties are data like the others to it,
// and the result carries them as the server sent them.
//
// What the server sends is not bounded: a record names at most
// maxNamedProperties, and the log names at most maxLoggedSets sets, so
// that answers with properties of new names (an id in a name) grow
// neither the memory nor the log without end.
type undeclaredLog struct {
	logger *slog.Logger
	seen   sync.Map // operation and paths, joined
	sets   atomic.Int64
}

const (
	maxNamedProperties = 10
	maxLoggedSets      = 100
)

func (u *undeclaredLog) log(ctx context.Context, op string, paths []string) {
	if u.logger == nil || len(paths) == 0 {
		return
	}
	if n := len(paths) - maxNamedProperties; n > 0 {
		paths = append(paths[:maxNamedProperties:maxNamedProperties], fmt.Sprintf("and %d more", n))
	}
	key := op + " " + strings.Join(paths, ",")
	if _, dup := u.seen.Load(key); dup {
		return
	}
	switch n := u.sets.Add(1); {
	case n == maxLoggedSets+1:
		u.logger.InfoContext(ctx, fmt.Sprintf("the answers have had %d sets of undeclared properties; the log names no more", maxLoggedSets))
		return
	case n > maxLoggedSets:
		return
	}
	if _, dup := u.seen.LoadOrStore(key, true); dup {
		return
	}
	u.logger.InfoContext(ctx, "the answer has properties the API spec does not declare; the tool result carries them as received",
		"operation", op, "properties", paths)
}

// jsonResult is a result whose text is v as JSON, redacted by opcall.Show.
func jsonResult(v any, secrets []string) (*mcpsdk.CallToolResult, error) {
	b, err := json.Marshal(v)
	if err == nil {
		b, err = opcall.Show(b, secrets) // which also undoes Marshal's escaping of <, > and &
	}
	if err != nil {
		return toolError(fmt.Errorf("encoding the result: %w", err)), nil
	}
	return &mcpsdk.CallToolResult{Content: []mcpsdk.Content{&mcpsdk.TextContent{Text: string(b)}}}, nil
}

// toolError is a failed call as the model sees it: a line that names the
// call, the status and what the server said (the SDK's errors redact
// every secret).
func toolError(err error) *mcpsdk.CallToolResult {
	return &mcpsdk.CallToolResult{IsError: true, Content: []mcpsdk.Content{&mcpsdk.TextContent{Text: err.Error()}}}
}

// The journey tools' arguments.
type (
	carArgs struct {
		UserID            string `json:"user_id" jsonschema:"the user's id (UUID)"`
		ElectricVehicleID string `json:"electric_vehicle_id" jsonschema:"the vehicle's id (UUID)"`
	}
	userArgs struct {
		UserID string `json:"user_id" jsonschema:"the user's id (UUID)"`
	}
	onboardingArgs struct {
		OnboardingSessionID string `json:"onboarding_session_id" jsonschema:"the onboarding session's id (UUID), from create_onboarding_session"`
		MaxWaitSeconds      int    `json:"max_wait_seconds,omitempty" jsonschema:"give up after this many seconds (default 120)"`
	}
)

func parseIDs(ids ...string) ([]api.UUID, error) {
	out := make([]api.UUID, len(ids))
	for i, s := range ids {
		id, err := api.ParseUUID(s)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// addJourneys adds the tools on top of the operations. They only read.
func addJourneys(s *mcpsdk.Server, c *api.PartnerClient, opts Options) {
	yes := true
	read := func(title string) *mcpsdk.ToolAnnotations {
		return &mcpsdk.ToolAnnotations{Title: title, ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &yes}
	}
	mcpsdk.AddTool(s, &mcpsdk.Tool{Name: "car_status", Title: "A car's status",
		Description: "How a user's electric vehicle is, as a dashboard shows it: Unplugged, Plugged in or Charging, " +
			"its battery level and boost state, whether \"Charge now\" is offered, whether it needs attention and its pending actions.",
		Annotations: read("A car's status")},
		func(ctx context.Context, _ *mcpsdk.CallToolRequest, in carArgs) (*mcpsdk.CallToolResult, any, error) {
			ids, err := parseIDs(in.UserID, in.ElectricVehicleID)
			if err != nil {
				return nil, nil, err
			}
			st, err := journey.Car(ctx, c, ids[0], ids[1])
			return nil, st, err
		})
	mcpsdk.AddTool(s, &mcpsdk.Tool{Name: "devices_needing_attention", Title: "A user's devices that need attention",
		Description: "Reads a user's electric vehicles, heat pumps and inverters and lists those that need the partner or " +
			"the end user to act (not authenticated, action_needed, or a reauthentication pending), with their pending actions.",
		Annotations: read("A user's devices that need attention")},
		func(ctx context.Context, _ *mcpsdk.CallToolRequest, in userArgs) (*mcpsdk.CallToolResult, any, error) {
			ids, err := parseIDs(in.UserID)
			if err != nil {
				return nil, nil, err
			}
			a, err := journey.NeedingAttention(ctx, c, ids[0])
			return nil, a, err
		})
	mcpsdk.AddTool(s, &mcpsdk.Tool{Name: "wait_for_onboarding", Title: "Wait for an onboarding",
		Description: "Polls an onboarding session until the device it onboards is connected, and returns the device's id, " +
			"kind and status. The end user connects the device in Podero's Connect UI at the session's authentication_url.",
		Annotations: read("Wait for an onboarding")},
		func(ctx context.Context, _ *mcpsdk.CallToolRequest, in onboardingArgs) (*mcpsdk.CallToolResult, any, error) {
			ids, err := parseIDs(in.OnboardingSessionID)
			if err != nil {
				return nil, nil, err
			}
			wait := 2 * time.Minute
			if in.MaxWaitSeconds > 0 {
				wait = time.Duration(in.MaxWaitSeconds) * time.Second
			}
			done, err := journey.WaitOnboarding(ctx, c, ids[0], opts.EndUser, api.WithMaxWait(wait))
			return nil, done, err
		})
}
