package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/opcall"
)

// command is an operation's command, as gen writes them into
// commands.gen.go.
type command struct {
	op, group, verb string
	short, long     string
	// args are the path parameters, in path order, by their names in the
	// spec; a secret one is a --NAME-file flag instead.
	args []string
	// flags are the query and header parameters (and secret path
	// parameters); fields the top-level fields of a JSON body.
	flags, fields      []flag
	body, bodyRequired bool
}

// flag is a parameter's or a body field's flag.
type flag struct {
	name, param string
	// kind is the JSON type of the value: string (taken as it is),
	// integer, number, boolean, or json (the value is JSON text).
	kind     string
	usage    string
	required bool
	// secret: the flag names a file holding the value (- for standard
	// input), which the shell history does not keep.
	secret bool
	enum   []string
}

// argName is how usage lines and errors show a path parameter: USER_ID.
func argName(param string) string {
	return strings.ToUpper(strings.ReplaceAll(param, "-", "_"))
}

// operationCommand builds the command of c, named use (its verb under its
// group, its Go name under call).
func (a *app) operationCommand(c command, use string) *cobra.Command {
	names := make([]string, len(c.args))
	for i, p := range c.args {
		names[i] = argName(p)
	}
	cmd := &cobra.Command{
		Use:   strings.Join(append([]string{use}, names...), " "),
		Short: c.short,
		Long:  c.long,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != len(names) {
				return usageErr(fmt.Errorf("%s takes %d argument(s), %s; got %d", use, len(names), strings.Join(names, " "), len(args)))
			}
			return nil
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	fs := cmd.Flags()
	for _, f := range slices.Concat(c.flags, c.fields) {
		usage := f.usage
		if len(f.enum) > 0 {
			usage += " (one of " + strings.Join(f.enum, ", ") + ")"
		}
		if f.secret {
			usage += "; a file holding the value, - for standard input (a secret is never a flag's value)"
		}
		if f.required {
			usage += "; required"
		}
		if f.kind == "boolean" && !f.secret {
			fs.Bool(f.name, false, usage)
		} else {
			fs.String(f.name, "", usage)
		}
		if len(f.enum) > 0 {
			_ = cmd.RegisterFlagCompletionFunc(f.name, cobra.FixedCompletions(f.enum, cobra.ShellCompDirectiveNoFileComp))
		}
	}
	if c.body {
		fs.String("data", "", "the request body: JSON, @FILE to read it from a file, or @- from standard input; field flags override its fields")
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.runOperation(cmd, c, args)
	}
	return cmd
}

func (a *app) runOperation(cmd *cobra.Command, c command, posArgs []string) error {
	op := opcall.Lookup(c.op)
	if op == nil {
		return fmt.Errorf("no operation %s: commands.gen.go and internal/opcall are out of step; run make generate", c.op)
	}
	args, err := a.collectArgs(cmd, c, op, posArgs)
	if err != nil {
		return err
	}
	var body []byte // the 2xx body as received, which the command prints
	args.Options = append(args.Options, api.WithRedactedRawBody(&body))
	return a.withClient(cmd.Context(), func(ctx context.Context, client *api.PartnerClient, _ *fakeTarget) (any, error) {
		res, err := op.Call(ctx, client, args)
		var ie *opcall.InputError
		switch {
		case errors.As(err, &ie):
			return nil, usageErr(fmt.Errorf("%s: %w", c.inputName(ie), ie.Err))
		case err != nil:
			return nil, err
		case op.Result == "none":
			return nil, nil
		case op.Result == "json":
			return received{body: body, decoded: res, secrets: args.Secrets(op)}, nil
		}
		return res, nil
	})
}

// inputName is how the command line names the value an InputError is
// about: an argument, a flag or a body field.
func (c command) inputName(e *opcall.InputError) string {
	if slices.Contains(c.args, e.Param) {
		return argName(e.Param)
	}
	for _, f := range c.flags {
		if f.param == e.Param && e.Param != "" {
			return "--" + f.name
		}
	}
	if e.Field != "" {
		for _, f := range c.fields {
			if f.param == e.Field {
				return "body field " + e.Field + " (--" + f.name + " or --data)"
			}
		}
		return "body field " + e.Field + " (--data)"
	}
	if e.Param != "" {
		return e.Param
	}
	return "the body (--data)"
}

// collectArgs turns the arguments and flags into the call's JSON values.
func (a *app) collectArgs(cmd *cobra.Command, c command, op *opcall.Op, posArgs []string) (opcall.Args, error) {
	args := opcall.Args{Params: map[string]json.RawMessage{}}
	kinds := map[string]string{}
	for _, p := range op.Params {
		kinds[p.Name] = p.Kind
	}
	for i, name := range c.args {
		args.Params[name] = textValue(kinds[name], posArgs[i])
	}
	fs := cmd.Flags()
	for _, f := range c.flags {
		if !fs.Changed(f.name) {
			continue
		}
		v, _ := fs.GetString(f.name)
		if f.kind == "boolean" && !f.secret {
			b, _ := fs.GetBool(f.name)
			v = fmt.Sprint(b)
		}
		if f.secret {
			s, err := a.readSecretFile(v)
			if err != nil {
				return args, usageErr(fmt.Errorf("--%s: %w", f.name, err))
			}
			v = s
		}
		raw, err := flagValue(f, v)
		if err != nil {
			return args, err
		}
		args.Params[f.param] = raw
	}
	if c.body {
		body, err := a.collectBody(cmd, c, op)
		if err != nil {
			return args, err
		}
		args.Body = body
	}
	return args, nil
}

// collectBody builds the body from --data and the field flags. It checks
// that the required fields are there, so that a missing one is a clear
// usage error rather than the server's 422.
func (a *app) collectBody(cmd *cobra.Command, c command, op *opcall.Op) ([]byte, error) {
	fs := cmd.Flags()
	var data []byte
	if fs.Changed("data") {
		v, _ := fs.GetString("data")
		var err error
		if data, err = a.dataValue(v); err != nil {
			return nil, usageErr(fmt.Errorf("--data: %w", err))
		}
		if op.Body != nil && op.Body.MediaTypes != nil {
			return data, nil // not JSON: sent as it is
		}
		if !json.Valid(data) {
			return nil, usageErr(errors.New("--data is not valid JSON"))
		}
	}
	fields := map[string]json.RawMessage{}
	setFields := false
	for _, f := range c.fields {
		if fs.Changed(f.name) {
			setFields = true
		}
	}
	if data == nil && !setFields {
		if !c.bodyRequired {
			return nil, nil
		}
		data = []byte("{}")
	}
	if data != nil {
		fields = nil
		if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
			if setFields || len(c.fields) > 0 {
				return nil, usageErr(errors.New("--data must be a JSON object: the body is one"))
			}
			return data, nil // a body that is not an object, checked by its type
		}
	}
	for _, f := range c.fields {
		if !fs.Changed(f.name) {
			continue
		}
		v, _ := fs.GetString(f.name)
		if f.kind == "boolean" {
			b, _ := fs.GetBool(f.name)
			v = fmt.Sprint(b)
		}
		raw, err := flagValue(f, v)
		if err != nil {
			return nil, err
		}
		fields[f.param] = raw
	}
	var missing []string
	for _, f := range c.fields {
		if _, ok := fields[f.param]; f.required && !ok {
			missing = append(missing, fmt.Sprintf("%s (--%s)", f.param, f.name))
		}
	}
	if len(missing) > 0 {
		return nil, usageErr(fmt.Errorf("the body needs %s: pass the flag or put the field in --data", strings.Join(missing, ", ")))
	}
	return json.Marshal(fields) // json.RawMessage keeps each value's text
}

// dataValue reads --data: JSON, @FILE or @- for standard input.
func (a *app) dataValue(v string) ([]byte, error) {
	name, ok := strings.CutPrefix(v, "@")
	switch {
	case !ok:
		return []byte(v), nil
	case name == "-":
		return readAll(a.stdin)
	}
	return os.ReadFile(name)
}

func readAll(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input")
	}
	return io.ReadAll(io.LimitReader(r, 16<<20))
}

// textValue is the JSON value of text typed on the command line: a string
// parameter's text as a string; anything else as JSON when it is, so that
// a malformed number reaches the decoder and its message ("want an
// integer, got a string").
func textValue(kind, s string) json.RawMessage {
	if kind != "string" && json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

// flagValue is a flag's JSON value; a json flag's text must be JSON.
func flagValue(f flag, v string) (json.RawMessage, error) {
	if f.kind == "json" {
		if !json.Valid([]byte(v)) {
			return nil, usageErr(fmt.Errorf("--%s takes JSON: %s is not", f.name, bytes.TrimSpace([]byte(v))))
		}
		return json.RawMessage(v), nil
	}
	return textValue(f.kind, v), nil
}
