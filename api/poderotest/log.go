package poderotest

import (
	"fmt"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// ChangeType is what a [Change] of the fake's ground truth was.
type ChangeType uint8

// The changes the fake logs. Attention is what api.Device.NeedsAttention
// reports: the device is not authenticated, or a reauthenticate action is
// pending.
const (
	UserAdded           ChangeType = iota + 1 // a user was created
	OnboardingCompleted                       // a user's is_onboarded turned true
	DeviceAdded                               // a device was created (an onboarding completed, AddDevice, ...)
	DeviceGone                                // a device was deleted: no longer listed, 404 to read
	AttentionStarted                          // a device began to need attention; CueID names its reauthenticate action, if any
	AttentionEnded                            // it no longer does
	StateUpdated                              // its current_state_last_updated_at moved
	ChargingStarted                           // an electric vehicle or wallbox began to charge
	ChargingStopped                           // it stopped
	BoostRequested                            // its boost_state turned "requested"
	BoostSettled                              // it left "requested"; State is the boost_state it settled in
)

var changeNames = [...]string{"", "UserAdded", "OnboardingCompleted", "DeviceAdded", "DeviceGone", "AttentionStarted",
	"AttentionEnded", "StateUpdated", "ChargingStarted", "ChargingStopped", "BoostRequested", "BoostSettled"}

func (t ChangeType) String() string {
	if int(t) < len(changeNames) && t != 0 {
		return changeNames[t]
	}
	return fmt.Sprintf("ChangeType(%d)", uint8(t))
}

// Change is one entry of the fake's ground truth ([Server.Changes]): what
// changed, when on the fake's clock, and for whom.
type Change struct {
	At       time.Time
	Type     ChangeType
	UserID   openapi_types.UUID
	DeviceID openapi_types.UUID // zero for a user's changes
	Device   DeviceType         // "" for a user's changes
	// CueID is, for AttentionStarted and AttentionEnded, the cue id of the
	// episode's reauthenticate action; "" for an episode without one.
	CueID string
	// State is, for BoostSettled, the boost_state the boost settled in.
	State string
}

// logEntry is a Change as the log keeps it: small and without pointers, as
// a simulated day of a large fleet logs millions of state updates.
type logEntry struct {
	at    int64 // Unix nanoseconds
	ref   int32 // index in Server.logRefs
	extra int32 // index in Server.logStrings: CueID or State; 0 for none
	typ   ChangeType
}

// logRef is who a change is about.
type logRef struct {
	user, device openapi_types.UUID
	kind         DeviceType
}

// log appends a change about rec (a user or a device) at t; extra is the
// CueID or State. s.mu must be held.
func (s *Server) log(typ ChangeType, t time.Time, rec *record, extra string) {
	if rec.logRef == 0 {
		ref := logRef{user: parseID(rec.id())}
		if rec.kind.isDevice {
			ref = logRef{user: parseID(rec.owner), device: parseID(rec.id()), kind: DeviceType(rec.kind.name)}
		}
		s.logRefs = append(s.logRefs, ref)
		rec.logRef = int32(len(s.logRefs) - 1)
	}
	var x int32
	if extra != "" {
		i, ok := s.logIndex[extra]
		if !ok {
			s.logStrings = append(s.logStrings, extra)
			i = int32(len(s.logStrings) - 1)
			s.logIndex[extra] = i
		}
		x = i
	}
	s.changes = append(s.changes, logEntry{at: t.UnixNano(), ref: rec.logRef, extra: x, typ: typ})
}

// Changes returns the fake's ground truth: every change it made, in the
// order it made them, with the time on its clock at which it happened.
// Changes that happen at a time (a refresh, a boost starting) are made when
// the fake is next asked anything, with their own time, so read Changes
// after a request or a call of a Server method to see them up to now.
func (s *Server) Changes() []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	out := make([]Change, len(s.changes))
	for i, e := range s.changes {
		ref := s.logRefs[e.ref]
		c := Change{At: time.Unix(0, e.at).UTC(), Type: e.typ, UserID: ref.user, DeviceID: ref.device, Device: ref.kind}
		if e.extra != 0 {
			if e.typ == BoostSettled {
				c.State = s.logStrings[e.extra]
			} else {
				c.CueID = s.logStrings[e.extra]
			}
		}
		out[i] = c
	}
	return out
}

// noted is what the log last said of a device.
type noted struct {
	done      bool // the device was noted once
	attention bool
	cue       string // the cue of the attention episode
	charging  bool
	requested bool // boost_state "requested"
}

// note logs what changed on a device since it was last noted: attention,
// charging, a boost requested or settled. Every operation that changes a
// device notes it at its end. s.mu must be held.
func (s *Server) note(dev *record, t time.Time) {
	if !dev.kind.isDevice || s.records[dev.id()] != dev {
		return
	}
	if s.proc != nil && dev.proc == nil { // a new device joins the change process
		s.adopt(dev, t)
	}
	now := noted{done: true}
	now.attention = dev.obj["is_authenticated"] != true
	for _, c := range dev.actions {
		if c.code == reauthenticate {
			now.attention, now.cue = true, c.id
			break
		}
	}
	if c := dev.ch; c != nil {
		now.charging = c.charging
		now.requested = c.boostState(dev.obj["is_fully_charged"] == true) == "requested"
	}
	was := dev.noted
	dev.noted = now
	if was.attention && (!now.attention || was.cue != now.cue) {
		s.log(AttentionEnded, t, dev, was.cue)
	}
	if now.attention && (!was.attention || was.cue != now.cue) {
		s.log(AttentionStarted, t, dev, now.cue)
	}
	if now.charging != was.charging {
		s.log(map[bool]ChangeType{true: ChargingStarted, false: ChargingStopped}[now.charging], t, dev, "")
	}
	switch {
	case now.requested && !was.requested:
		s.log(BoostRequested, t, dev, "")
	case was.requested && !now.requested:
		s.log(BoostSettled, t, dev, dev.ch.boostState(dev.obj["is_fully_charged"] == true))
	}
}
