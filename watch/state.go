package watch

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/podero-go/podero/api"
)

// What the watcher knows of a user, as stores keep it, and how a reading
// turns into events: edge detection, with each episode's identity kept in
// the state that the store writes together with the event.

// listing is what the users list says of a user (Listing.Data).
type listing struct {
	Counts    map[api.DeviceKind]int `json:"counts,omitempty"`
	Onboarded bool                   `json:"onboarded,omitempty"`
	// Gone: the user is no longer listed.
	Gone bool `json:"gone,omitempty"`
	// Baseline: the user was recorded by the first listing of a store with
	// no users, with Options.Baseline (no UserAdded): the devices the first
	// reads of its units find are recorded without DeviceAdded. Kept when
	// the listing changes.
	Baseline bool `json:"baseline,omitempty"`
}

// userDoc is what the watcher knows of a user's devices (UserRecord.State).
type userDoc struct {
	Devices map[api.UUID]*deviceDoc `json:"devices,omitempty"`
	Units   map[string]*unitDoc     `json:"units,omitempty"`
	// Baseline: the user is baselined (listing.Baseline) and some of its
	// units were never read: devices found are recorded without
	// DeviceAdded. Set when the user is first taken with no state, cleared
	// once every unit has been read (settleBaseline).
	Baseline bool `json:"baseline,omitempty"`
}

// deviceDoc is what the watcher last saw of a device.
type deviceDoc struct {
	Kind api.DeviceKind `json:"kind"`
	// Attention is the open attention episode, if any.
	Attention *episode `json:"attention,omitempty"`
	// Charging: since the ChargingStarted event ChargeID.
	Charging bool   `json:"charging,omitempty"`
	ChargeID string `json:"charge_id,omitempty"`
	// StateAt is the current_state_last_updated_at last read.
	StateAt time.Time `json:"state_at,omitzero"`
	// ReadAt is the last successful read.
	ReadAt time.Time `json:"read_at,omitzero"`
	// Stale is the open Stale event's ID, if any.
	Stale string `json:"stale,omitempty"`
}

// episode is an attention episode: the EventID of its NeedsAttention.
type episode struct {
	ID    string    `json:"id"`
	Since time.Time `json:"since"`
	Cue   api.UUID  `json:"cue,omitzero"`
}

// unitDoc is the schedule of a unit: a list of the user's devices of one
// kind, one wallbox, or the search for wallboxes.
type unitDoc struct {
	ReadAt time.Time `json:"read_at,omitzero"` // the last successful read
	Fails  int       `json:"fails,omitempty"`  // failed reads since
	// Urgent: the users list says something changed (or the unit is new):
	// read it ahead of the regular reads.
	Urgent bool `json:"urgent,omitempty"`
}

// Unit keys.
const (
	unitFindWallboxes = "wbfind"
	wallboxUnitPrefix = "wb/"
)

func wallboxUnit(id api.UUID) string { return wallboxUnitPrefix + id.String() }

// listKinds are the kinds read with one list per user.
var listKinds = []api.DeviceKind{api.DeviceKindEV, api.DeviceKindHp, api.DeviceKindIv}

// reading is what a read showed of a device.
type reading struct {
	kind      api.DeviceKind
	id        api.UUID
	attention bool
	reason    string
	cue       api.UUID
	actions   []api.ActionCode
	charging  bool
	stateAt   time.Time
	deleted   bool // deleted_at is set: "the device is considered deleted"
}

// readingOf reads what the watcher follows off a device output.
func readingOf(d api.Device) reading {
	r := reading{kind: d.Kind(), id: d.GetID(), attention: d.NeedsAttention()}
	for _, a := range d.PendingActions() {
		r.actions = append(r.actions, a.Code)
		if a.Code == api.ActionReauthenticate && r.cue == (api.UUID{}) {
			r.cue = a.CueID
		}
	}
	var lifecycleError string
	switch v := d.(type) {
	case *api.ElectricVehicleOutput:
		r.charging, r.stateAt, r.deleted = v.GetIsCharging(), v.GetCurrentStateLastUpdatedAt(), v.DeletedAt != nil
		lifecycleError = v.GetLifecycleError()
	case *api.WallboxOutput:
		r.charging, r.stateAt, r.deleted = v.GetMode() == api.WallboxModeCHARGING, v.GetCurrentStateLastUpdatedAt(), v.DeletedAt != nil
		lifecycleError = v.GetLifecycleError()
	case *api.HeatPumpOutput:
		r.stateAt, r.deleted = v.GetCurrentStateLastUpdatedAt(), v.DeletedAt != nil
		lifecycleError = v.GetLifecycleError()
	case *api.InverterOutput:
		r.stateAt, r.deleted = v.GetCurrentStateLastUpdatedAt(), v.DeletedAt != nil
		lifecycleError = v.GetLifecycleError()
	}
	switch {
	case lifecycleError != "":
		r.reason = lifecycleError
	case !d.GetIsAuthenticated():
		r.reason = "not authenticated"
	default:
		r.reason = "action needed"
	}
	return r
}

func ms(t time.Time) string { return fmt.Sprint(t.UnixMilli()) }

// observe applies readings of a user's devices: of every device of kind
// listed (complete: a device the list leaves out is gone), or of the
// devices read one by one. read is when the read was sent (the devices'
// ReadAt: their state is at least that fresh); now is when its answer
// came, the time of its events: what the answer shows may have begun after
// the read was sent (while the request waited for its turn, a retry, or
// Podero's answer), never after the answer. It returns the events, which
// must be written with the state before they are delivered.
func (d *userDoc) observe(read, now time.Time, user api.UUID, kind api.DeviceKind, readings []reading, complete bool) []Event {
	if d.Devices == nil {
		d.Devices = map[api.UUID]*deviceDoc{}
	}
	var out []Event
	head := func(id string) Header { return Header{ID: id, At: now, User: user} }
	seen := map[api.UUID]bool{}
	for _, r := range readings {
		if r.deleted {
			continue // gone, below
		}
		seen[r.id] = true
		dev := Device{Kind: r.kind, ID: r.id}
		doc := d.Devices[r.id]
		if doc == nil {
			doc = &deviceDoc{Kind: r.kind}
			d.Devices[r.id] = doc
			if !d.Baseline {
				out = append(out, DeviceAdded{Header: head("device-added:" + r.id.String()), Device: dev})
			}
		}
		doc.ReadAt, doc.Stale = read, ""
		if !r.stateAt.IsZero() {
			doc.StateAt = r.stateAt
		}
		// Attention: a new episode when none is open, or when the cue
		// changed (a new reauthenticate action is a new episode). A cue
		// that appears on an episode that had none is not a change: Podero
		// shows a broken device unauthenticated first and may raise its
		// reauthenticate action later; the episode, announced already,
		// keeps its ID and takes the cue.
		if ep := doc.Attention; ep != nil && r.attention && ep.Cue == (api.UUID{}) && r.cue != (api.UUID{}) {
			ep.Cue = r.cue
		}
		if ep := doc.Attention; ep != nil && (!r.attention || r.cue != ep.Cue) {
			out = append(out, AttentionResolved{Header: head("resolved:" + ep.ID), Device: dev, Episode: ep.ID, Since: ep.Since})
			doc.Attention = nil
		}
		if r.attention && doc.Attention == nil {
			id := "attention:" + r.cue.String()
			if r.cue == (api.UUID{}) {
				id = "attention:" + string(r.kind) + ":" + r.id.String() + ":" + ms(now)
			}
			doc.Attention = &episode{ID: id, Since: now, Cue: r.cue}
			out = append(out, NeedsAttention{Header: head(id), Device: dev, Reason: r.reason, CueID: r.cue, Actions: r.actions})
		}
		if r.charging != doc.Charging {
			doc.Charging = r.charging
			if r.charging {
				doc.ChargeID = "charging:" + r.id.String() + ":" + ms(now)
				out = append(out, ChargingStarted{Header: head(doc.ChargeID), Device: dev})
			} else {
				out = append(out, ChargingStopped{Header: head("stopped:" + doc.ChargeID), Device: dev})
				doc.ChargeID = ""
			}
		}
	}
	for _, r := range readings {
		if r.deleted && d.Devices[r.id] != nil {
			out = append(out, d.gone(now, user, r.id)...)
		}
	}
	if complete {
		for _, id := range slices.SortedFunc(maps.Keys(d.Devices), compareIDs) {
			if doc := d.Devices[id]; doc.Kind == kind && !seen[id] {
				out = append(out, d.gone(now, user, id)...)
			}
		}
	}
	return out
}

// gone forgets a device the API no longer has.
func (d *userDoc) gone(now time.Time, user, id api.UUID) []Event {
	doc := d.Devices[id]
	if doc == nil {
		return nil
	}
	delete(d.Devices, id)
	if doc.Kind == api.DeviceKindWb {
		delete(d.Units, wallboxUnit(id))
	}
	return []Event{DeviceGone{Header: Header{ID: "device-gone:" + id.String(), At: now, User: user}, Device: Device{Kind: doc.Kind, ID: id}}}
}

// units brings the user's units in line with the listing and the devices
// known: a list per kind the user has, a unit per wallbox, and a search for
// wallboxes while the listing counts more or fewer than are known. New
// units are urgent.
func (d *userDoc) units(l listing) {
	if d.Units == nil {
		d.Units = map[string]*unitDoc{}
	}
	want := map[string]bool{}
	known := map[api.DeviceKind]int{}
	for id, dev := range d.Devices {
		known[dev.Kind]++
		if dev.Kind == api.DeviceKindWb {
			want[wallboxUnit(id)] = true
		}
	}
	for key := range d.Units { // wallboxes found, not read yet
		if strings.HasPrefix(key, wallboxUnitPrefix) && !want[key] {
			want[key] = true
			known[api.DeviceKindWb]++
		}
	}
	for _, k := range listKinds {
		if l.Counts[k] > 0 || known[k] > 0 {
			want[string(k)] = true
		}
	}
	if l.Counts[api.DeviceKindWb] != known[api.DeviceKindWb] {
		want[unitFindWallboxes] = true
	}
	if l.Gone {
		clear(want)
	}
	for key := range d.Units {
		if !want[key] {
			delete(d.Units, key)
		}
	}
	for key := range want {
		if d.Units[key] == nil {
			d.Units[key] = &unitDoc{Urgent: true}
		}
	}
}

// settleBaseline ends a user's baseline once every unit has been read
// (at once if it has none), and reports whether it ended.
func (d *userDoc) settleBaseline() bool {
	if !d.Baseline {
		return false
	}
	for _, ud := range d.Units {
		if ud.ReadAt.IsZero() {
			return false
		}
	}
	d.Baseline = false
	return true
}

// devicesOf returns the ids of the devices a unit reads.
func (d *userDoc) devicesOf(unit string) []api.UUID {
	var out []api.UUID
	switch {
	case unit == unitFindWallboxes:
	case strings.HasPrefix(unit, wallboxUnitPrefix):
		if id, err := api.ParseUUID(unit[len(wallboxUnitPrefix):]); err == nil {
			out = append(out, id)
		}
	default:
		for id, dev := range d.Devices {
			if string(dev.Kind) == unit {
				out = append(out, id)
			}
		}
	}
	slices.SortFunc(out, compareIDs)
	return out
}

func compareIDs(a, b api.UUID) int { return bytes.Compare(a[:], b[:]) }
