package main

import (
	"errors"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/podero-go/podero/api"
)

// The exit statuses, by class of error. `podero help exit-codes` and the
// README document them; change neither alone.
const (
	exitOK          = 0
	exitOther       = 1 // anything else
	exitUsage       = 2 // the command line: unknown command or flag, missing or malformed argument, bad --data
	exitNotFound    = 3 // 404
	exitAuth        = 4 // no or bad credentials: 401, 403, a token endpoint that refused them
	exitValidation  = 5 // 422: the server refused the request's values
	exitConflict    = 6 // 409, such as a boost on a vehicle that is charging
	exitUnavailable = 7 // try later: what the client retries (408, 429, 502, 503, 504, a network failure or timeout), a wait that gave up
)

const exitCodesHelp = `Exit status:

  0  success
  1  another error
  2  usage: an unknown command or flag, a missing or malformed argument,
     a --data that is not JSON or names a field the body does not have
  3  not found: the API answered 404
  4  auth: no credentials, or the API or its token endpoint refused them
     (401, 403, invalid_client)
  5  validation: the API answered 422 (its message names the field)
  6  conflict: the API answered 409 (a boost on a vehicle that is charging)
  7  unavailable: try later; what the client retries after its last
     attempt (408, 429, 502, 503, 504, a network failure or timeout),
     or a wait (onboarding wait, ...) that gave up

The error itself goes to standard error: which call, what status, and what
the server said, never a secret.`

func exitCodesTopic() *cobra.Command {
	return &cobra.Command{Use: "exit-codes", Short: "What the exit status says", Long: exitCodesHelp, GroupID: "other"}
}

// usageError is an error of the command line.
type usageError struct{ error }

func (e *usageError) Unwrap() error { return e.error }

func usageErr(err error) error { return &usageError{err} }

// runError is an error of a command that ran; any other error from cobra
// is one of the command line (an unknown command, a wrong number of
// arguments).
type runError struct{ error }

func (e *runError) Unwrap() error { return e.error }

// exitCode classifies err through api's predicates.
func exitCode(err error) int {
	var re *runError
	var ue *usageError
	var ce *credentialsError
	var wt *api.WaitTimeoutError
	var ae *api.Error
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case !errors.As(err, &re):
		return exitUsage
	case errors.As(err, &ce), api.IsUnauthorized(err), errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden:
		return exitAuth
	case api.IsNotFound(err):
		return exitNotFound
	case api.IsValidation(err):
		return exitValidation
	case api.IsConflict(err):
		return exitConflict
	case api.IsRetryable(err), errors.As(err, &wt):
		return exitUnavailable
	}
	return exitOther
}
