package api

import (
	"encoding/json"
	"strings"
)

// Some operations report a failure inside a 200 answer (guides §10): the
// trading PATCH's {state, error}, and metadata.error in statistics and
// savings, charge policies and the trading GET. The generated methods
// return such an answer with a nil error, as they do every 2xx that
// decodes: it is the API's answer, and its other fields may still be
// wanted. So the SDK surfaces the in-band error with a typed check, an Err
// method on each affected model, rather than with wrappers that would
// double the methods of ten operations:
//
//	stats, err := c.GetHeatPumpStatistics(ctx, user, hp, params)
//	if err == nil {
//		err = stats.Err() // an *InBandError, or nil
//	}
//
// The SDK's own helpers that call these operations
// ([PartnerClient.UploadDayAheadPrices]) return the *InBandError as their
// error, so that their callers cannot miss it.

// InBandError is a failure that Podero reported inside a 200 answer. The
// Err method of the model that carried it returns it; errors.As finds it.
type InBandError struct {
	// Type is the model that carried it, such as "StatisticsOutput".
	Type string
	// State is the trading PATCH's state when it says the upload failed
	// ("late", "empty"), or "".
	State string
	// Message is what the error field said; "" when only State says it.
	Message string
	// Result is the decoded answer (a *StatisticsOutput, say), for what
	// else it says.
	Result any
}

func (e *InBandError) Error() string {
	var b strings.Builder
	b.WriteString("podero: " + e.Type + ": the 200 answer reports ")
	switch {
	case e.State != "" && e.Message != "":
		b.WriteString("state " + quoted(e.State) + ", error: " + e.Message)
	case e.State != "":
		b.WriteString("state " + quoted(e.State))
	default:
		b.WriteString("an error: " + e.Message)
	}
	return b.String()
}

// Err returns an [*InBandError] when the answer reports that the upload
// failed: its error is not null (nor empty), or its state is "late" (the
// prices came after the day's deadline) or "empty" (there were none). The
// spec documents the states only as "the state of the output"; the SDK
// reads late and empty by their names, and does not count "success",
// "existing" or "non_existing" as failures. Nil for a nil answer.
func (o *TradingDayAheadPricesUpdateOutput) Err() error {
	if o == nil {
		return nil
	}
	failed := o.State == TradingDayAheadPricesStateLate || o.State == TradingDayAheadPricesStateEmpty
	if o.GetError() == "" && !failed {
		return nil
	}
	e := &InBandError{Type: "TradingDayAheadPricesUpdateOutput", Message: o.GetError(), Result: o}
	if failed {
		e.State = string(o.State)
	}
	return e
}

// Err returns an [*InBandError] when metadata.error reports a failure, or
// nil. The spec gives that field no type: a string is its message, any
// other value its JSON; null, "" and an empty object or array report
// nothing.
func (o *TradingDayAheadPricesOutput) Err() error {
	if o == nil {
		return nil
	}
	if msg := anyMessage(o.Metadata.Error); msg != "" {
		return &InBandError{Type: "TradingDayAheadPricesOutput", Message: msg, Result: o}
	}
	return nil
}

// Err returns an [*InBandError] when metadata.error is not null (nor
// empty), or nil. Statistics and savings answers (GetHeatPumpStatistics,
// Get...Savings) carry it.
func (o *StatisticsOutput) Err() error {
	m := o.GetMetadata()
	return metadataErr("StatisticsOutput", m.GetError(), o)
}

// Err returns an [*InBandError] when metadata.error is not null (nor
// empty), or nil.
func (o *ChargePolicyOutput) Err() error {
	m := o.GetMetadata()
	return metadataErr("ChargePolicyOutput", m.GetError(), o)
}

// metadataErr is Err for an answer of the type whose metadata.error is a
// string: an [*InBandError] with result when msg is not empty.
func metadataErr(typ, msg string, result any) error {
	if msg == "" {
		return nil
	}
	return &InBandError{Type: typ, Message: msg, Result: result}
}

// anyMessage reads an error field of no declared type.
func anyMessage(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		if len(x) == 0 {
			return ""
		}
	case []any:
		if len(x) == 0 {
			return ""
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "an error that does not encode"
	}
	return string(b)
}
