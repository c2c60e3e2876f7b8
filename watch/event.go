package watch

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/podero-go/podero/api"
)

// Event is something the watcher noticed, delivered to the handler of
// [Watcher.Run]: one of the types of this file. Switch on its type:
//
//	switch e := ev.(type) {
//	case watch.NeedsAttention:
//	case watch.BoostSettled:
//	}
//
// Events are edge-triggered: one for each change, not one for each read
// that shows it. Each has a stable ID ([Event.EventID]): delivery is at
// least once, so a handler that must not act twice remembers the IDs it
// has acted on.
type Event interface {
	// EventID is the event's stable ID: the same event delivered again
	// (after a handler error, a restart, or on another replica) has the
	// same ID.
	EventID() string
	// Observed is when the watcher first saw what the event reports, on
	// its clock.
	Observed() time.Time
	event()
}

// Header is what every event carries.
type Header struct {
	// ID is the event's stable ID (EventID).
	ID string `json:"id"`
	// At is when the watcher saw it (Observed).
	At time.Time `json:"at"`
	// User is the user it concerns; zero for Lagging.
	User api.UUID `json:"user,omitzero"`
}

func (h Header) EventID() string     { return h.ID }
func (h Header) Observed() time.Time { return h.At }
func (Header) event()                {}

// Device names a device: its kind and id.
type Device struct {
	Kind api.DeviceKind `json:"kind"`
	ID   api.UUID       `json:"id"`
}

// UserAdded: a user appeared in the users list. Their devices follow as
// DeviceAdded once read.
type UserAdded struct {
	Header
}

// OnboardingCompleted: a user's is_onboarded turned true, as the users
// list shows it: they finished the onboarding of their first device.
type OnboardingCompleted struct {
	Header
}

// DeviceAdded: a device appeared in its user's list (or, for a wallbox,
// in the user's charging configuration).
type DeviceAdded struct {
	Header
	Device Device `json:"device"`
}

// DeviceGone: a device is no longer listed (a wallbox: reading it answers
// 404), or its user left the users list. A device that could not be read
// is not gone: see Stale.
type DeviceGone struct {
	Header
	Device Device `json:"device"`
}

// NeedsAttention: a device began to need its user or the partner: it is
// not authenticated, action_needed is set, or a reauthenticate action is
// pending (api.Device.NeedsAttention). One event for each episode, until
// AttentionResolved.
type NeedsAttention struct {
	Header
	Device Device `json:"device"`
	// Reason is what the device shows: its lifecycle_error when it has one,
	// else "not authenticated" or "action needed".
	Reason string `json:"reason"`
	// CueID is the cue id of the device's pending reauthenticate action,
	// which identifies the episode; zero when the device has none (the
	// event's ID is then the device, the kind and the time the episode was
	// first seen). The action's secret is not kept: read the device for a
	// fresh resolution link ([api.PartnerClient.StartReauthentication]).
	CueID api.UUID `json:"cue_id,omitzero"`
	// Actions are the codes of the device's pending actions.
	Actions []api.ActionCode `json:"actions,omitempty"`
}

// AttentionResolved: a device that needed attention is working again, as
// a successful read shows (a failed read never resolves anything).
type AttentionResolved struct {
	Header
	Device Device `json:"device"`
	// Episode is the EventID of the episode's NeedsAttention.
	Episode string `json:"episode"`
	// Since is when the episode was first seen.
	Since time.Time `json:"since"`
}

// ChargingStarted: an electric vehicle or wallbox began to charge.
type ChargingStarted struct {
	Header
	Device Device `json:"device"`
}

// ChargingStopped: it stopped.
type ChargingStopped struct {
	Header
	Device Device `json:"device"`
}

// BoostSettled: a boost the watcher tracks ([Watcher.TrackBoost],
// [Watcher.Boost]) left "requested".
type BoostSettled struct {
	Header
	Device Device `json:"device"`
	// State is the boost_state it settled in: "ongoing" (it charges),
	// "unavailable" (it did not start), or "available" (it was disarmed).
	// It is "" when the boost could not be followed: Failed says why.
	State api.BoostState `json:"state,omitempty"`
	// Requested is when the boost was requested or tracking began.
	Requested time.Time `json:"requested"`
	// Failed, if not "", says why the watcher stopped following the boost
	// without seeing it settle: the device is gone, or it stayed
	// "requested" longer than Options.BoostTimeout.
	Failed string `json:"failed,omitempty"`
}

// Stale: a device could not be read within its freshness target (the
// reads failed, or the budget did not allow one). Since is its last
// successful read (zero: never read). One event per episode: the next
// successful read ends it.
type Stale struct {
	Header
	Device Device    `json:"device"`
	Since  time.Time `json:"since,omitzero"`
}

// Lagging: the request budget cannot meet the freshness target: the
// watcher needs Need requests a second to read every device within its
// target, and may spend Rate (Options.Rate, or less while Podero answers
// 429). One event per episode.
type Lagging struct {
	Header
	Need float64 `json:"need"`
	Rate float64 `json:"rate"`
}

// eventTypes maps the names events are stored under to their types.
var eventTypes = map[string]func() Event{
	"UserAdded":           func() Event { return &UserAdded{} },
	"OnboardingCompleted": func() Event { return &OnboardingCompleted{} },
	"DeviceAdded":         func() Event { return &DeviceAdded{} },
	"DeviceGone":          func() Event { return &DeviceGone{} },
	"NeedsAttention":      func() Event { return &NeedsAttention{} },
	"AttentionResolved":   func() Event { return &AttentionResolved{} },
	"ChargingStarted":     func() Event { return &ChargingStarted{} },
	"ChargingStopped":     func() Event { return &ChargingStopped{} },
	"BoostSettled":        func() Event { return &BoostSettled{} },
	"Stale":               func() Event { return &Stale{} },
	"Lagging":             func() Event { return &Lagging{} },
}

// typeName is the name an event is stored under.
func typeName(ev Event) string {
	switch ev.(type) {
	case UserAdded:
		return "UserAdded"
	case OnboardingCompleted:
		return "OnboardingCompleted"
	case DeviceAdded:
		return "DeviceAdded"
	case DeviceGone:
		return "DeviceGone"
	case NeedsAttention:
		return "NeedsAttention"
	case AttentionResolved:
		return "AttentionResolved"
	case ChargingStarted:
		return "ChargingStarted"
	case ChargingStopped:
		return "ChargingStopped"
	case BoostSettled:
		return "BoostSettled"
	case Stale:
		return "Stale"
	case Lagging:
		return "Lagging"
	}
	panic(fmt.Sprintf("watch: unknown event type %T", ev))
}

// envelope is an event as a store keeps it.
type envelope struct {
	Type  string          `json:"type"`
	Event json.RawMessage `json:"event"`
}

// encodeEvent is what stores keep of an event.
func encodeEvent(ev Event) []byte {
	body, err := json.Marshal(ev)
	if err != nil {
		panic("watch: encode event: " + err.Error()) // only our own types
	}
	out, _ := json.Marshal(envelope{Type: typeName(ev), Event: body})
	return out
}

// decodeEvent reads an event a store kept.
func decodeEvent(data []byte) (Event, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("watch: a stored event does not decode: %w", err)
	}
	newEvent, ok := eventTypes[env.Type]
	if !ok {
		return nil, fmt.Errorf("watch: a stored event has the unknown type %q (stored by a newer version?)", env.Type)
	}
	p := newEvent()
	if err := json.Unmarshal(env.Event, p); err != nil {
		return nil, fmt.Errorf("watch: a stored %s does not decode: %w", env.Type, err)
	}
	switch e := p.(type) { // the handler gets values, as the watcher makes them
	case *UserAdded:
		return *e, nil
	case *OnboardingCompleted:
		return *e, nil
	case *DeviceAdded:
		return *e, nil
	case *DeviceGone:
		return *e, nil
	case *NeedsAttention:
		return *e, nil
	case *AttentionResolved:
		return *e, nil
	case *ChargingStarted:
		return *e, nil
	case *ChargingStopped:
		return *e, nil
	case *BoostSettled:
		return *e, nil
	case *Stale:
		return *e, nil
	case *Lagging:
		return *e, nil
	}
	return nil, fmt.Errorf("watch: unknown stored event %T", p)
}
