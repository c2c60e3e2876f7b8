package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/oauth"
)

// boostDoc is a tracked boost, as the store keeps it (BoostRecord.Data).
type boostDoc struct {
	ID        string    `json:"id"`
	Device    Device    `json:"device"`
	Requested time.Time `json:"requested"`
}

// TrackBoost follows the boost of an electric vehicle (requested with
// TriggerElectricVehicleBoost, or by the user in another app) until it
// leaves "requested", and delivers a BoostSettled. It polls the vehicle in
// the boost lane, ahead of every other read, every Options.BoostPoll, and
// tolerates failed reads. The boost is in the store when TrackBoost
// returns: a restart, or another replica, carries on following it.
// [Watcher.Boost] requests and tracks in one call.
func (w *Watcher) TrackBoost(ctx context.Context, userID, vehicleID api.UUID) error {
	return w.track(ctx, userID, Device{Kind: api.DeviceKindEV, ID: vehicleID})
}

// TrackWallboxBoost is TrackBoost for a wallbox.
func (w *Watcher) TrackWallboxBoost(ctx context.Context, userID, wallboxID api.UUID) error {
	return w.track(ctx, userID, Device{Kind: api.DeviceKindWb, ID: wallboxID})
}

func (w *Watcher) track(ctx context.Context, user api.UUID, dev Device) error {
	now := w.now()
	b := boostDoc{ID: "boost:" + dev.ID.String() + ":" + ms(now), Device: dev, Requested: now}
	rec := BoostRecord{ID: b.ID, User: user, Data: mustJSON(b)}
	if err := w.o.Store.Commit(ctx, &Batch{Replica: w.o.Replica, Now: now, Boosts: []BoostRecord{rec}}); err != nil {
		return fmt.Errorf("watch: track the boost of %s %s: %w", dev.Kind, dev.ID, err)
	}
	w.mu.Lock()
	if u := w.users[user]; u != nil {
		w.addBoostLocked(u, rec, now)
	} else {
		signal(w.claimNow) // the replica that holds the user takes it at its claim
	}
	w.mu.Unlock()
	signal(w.wake)
	return nil
}

// addBoostLocked schedules the polls of a boost of a user held. w.mu is
// held.
func (w *Watcher) addBoostLocked(u *userRT, rec BoostRecord, now time.Time) {
	if u.boosts[rec.ID] != nil {
		return
	}
	var b boostDoc
	if err := json.Unmarshal(rec.Data, &b); err != nil {
		w.o.Logger.Warn("watch: a stored boost does not decode; dropped", "boost", rec.ID, "err", err)
		return
	}
	u.boosts[b.ID] = &b
	w.scheduleLocked(u, b.ID, jobBoost, laneBoost, now)
}

// boostInterval is the wait between two polls of a boost requested at
// requested: BoostPoll for two minutes, then every 30 s (it waits for a
// plug-in), then every 5 min after an hour.
func (w *Watcher) boostInterval(requested, now time.Time) time.Duration {
	switch age := now.Sub(requested); {
	case age < 2*time.Minute:
		return w.o.BoostPoll
	case age < time.Hour:
		return 30 * time.Second
	}
	return 5 * time.Minute
}

// pollBoost reads a boosted device: it settles the boost when it left
// "requested", and the reading counts as a read of the device.
func (w *Watcher) pollBoost(ctx context.Context, j *job) {
	u := j.user
	w.mu.Lock()
	b := u.boosts[j.key]
	w.mu.Unlock()
	if b == nil {
		w.finish(j, nil)
		return
	}
	start := w.now()
	var d api.Device
	var state api.BoostState
	var err error
	opts := w.callOptions(laneBoost)
	if b.Device.Kind == api.DeviceKindWb {
		var wb *api.WallboxOutput
		if wb, err = w.c.GetWallbox(ctx, u.id, b.Device.ID, opts...); err == nil {
			d, state = wb, wb.GetBoostState()
		}
	} else {
		var ev *api.ElectricVehicleOutput
		if ev, err = w.c.GetElectricVehicle(ctx, u.id, b.Device.ID, opts...); err == nil {
			d, state = ev, ev.GetBoostState()
		}
	}
	seen := w.now() // what the answer shows may have begun after start
	w.count(err)
	w.mu.Lock()
	w.stats.BoostPolls++
	w.mu.Unlock()
	if ctx.Err() != nil {
		w.finish(j, func(now time.Time) { j.due = now })
		return
	}
	var events []Event
	settled := &BoostSettled{Header: Header{ID: "settled:" + b.ID, At: seen, User: u.id}, Device: b.Device, Requested: b.Requested}
	switch {
	case api.IsNotFound(err):
		events = u.doc.gone(seen, u.id, b.Device.ID)
		settled.Failed = "the device is gone"
	case err != nil: // a 5xx, a timeout: poll again
		w.o.Logger.Warn("watch: a boost poll failed; polling again", "boost", b.ID, "err", err)
		settled = nil
	default:
		if u.doc.Devices[b.Device.ID] != nil { // a device the watcher follows: this is a read of it
			events = u.doc.observe(start, seen, u.id, b.Device.Kind, []reading{readingOf(d)}, false)
		}
		switch {
		case state != api.BoostStateRequested:
			settled.State = state
		case start.Sub(b.Requested) >= w.o.BoostTimeout:
			settled.Failed = fmt.Sprintf("still requested after %v (Options.BoostTimeout)", w.o.BoostTimeout)
		default:
			settled = nil
		}
	}
	if settled != nil {
		events = append(events, *settled)
	}
	done := settled != nil && w.commitBoost(ctx, u, b.ID, events)
	if len(events) > 0 && !done {
		w.commitEvents(ctx, u, events)
	}
	w.finish(j, func(now time.Time) {
		if done || u.dropped {
			delete(u.boosts, b.ID)
			return
		}
		j.due = now.Add(w.boostInterval(b.Requested, now))
	})
}

// commitBoost writes a settled boost as done with the events of its last
// poll.
func (w *Watcher) commitBoost(ctx context.Context, u *userRT, id string, events []Event) bool {
	b := &Batch{Replica: w.o.Replica, Now: w.now(), States: []UserState{{User: u.id, Data: mustJSON(&u.doc)}}, Done: []string{id}}
	for _, ev := range events {
		b.Events = append(b.Events, StoredEvent{ID: ev.EventID(), User: u.id, Data: encodeEvent(ev)})
	}
	if err := w.o.Store.Commit(ctx, b); err != nil {
		var lost *LeaseLostError
		if errors.As(err, &lost) {
			w.mu.Lock()
			w.dropLocked(u)
			w.mu.Unlock()
		}
		return false
	}
	u.dirty = false
	w.mu.Lock()
	w.stats.Events += len(events)
	w.mu.Unlock()
	signal(w.wakeSend)
	return true
}

// Boost requests a boost of an electric vehicle and tracks it
// (TrackBoost): its BoostSettled follows. It settles the ambiguity of the
// request, a POST that Podero does not deduplicate: when the request fails
// in a way that says nothing of whether it went through (a timeout, a
// dropped connection, a 5xx), Boost sends it again, and a 409 whose state
// is "requested" or "ongoing" then means the first one went through. A 409
// for any other reason (fully charged, already charging without a boost,
// ...) is returned, as an *api.Error, and nothing is tracked.
func (w *Watcher) Boost(ctx context.Context, userID, vehicleID api.UUID) error {
	return w.boost(ctx, userID, Device{Kind: api.DeviceKindEV, ID: vehicleID}, func(ctx context.Context) error {
		return w.c.TriggerElectricVehicleBoost(ctx, userID, vehicleID, w.callOptions(laneBoost)...)
	})
}

// BoostWallbox is Boost for a wallbox.
func (w *Watcher) BoostWallbox(ctx context.Context, userID, wallboxID api.UUID) error {
	return w.boost(ctx, userID, Device{Kind: api.DeviceKindWb, ID: wallboxID}, func(ctx context.Context) error {
		return w.c.TriggerWallboxBoost(ctx, userID, wallboxID, w.callOptions(laneBoost)...)
	})
}

// boostAttempts is how many times Boost sends a request whose fate is
// unknown.
const boostAttempts = 4

func (w *Watcher) boost(ctx context.Context, user api.UUID, dev Device, trigger func(context.Context) error) error {
	var err error
	ambiguous := false
	for attempt := range boostAttempts {
		if attempt > 0 {
			if serr := w.o.Clock.Sleep(ctx, time.Duration(attempt)*time.Second); serr != nil {
				return fmt.Errorf("watch: boost of %s %s: %w (the last attempt: %w)", dev.Kind, dev.ID, serr, err)
			}
		}
		err = trigger(ctx)
		w.count(err)
		var apiErr *api.Error
		switch {
		case err == nil:
			return w.track(ctx, user, dev)
		case errors.As(err, &apiErr) && apiErr.StatusCode == 409:
			if c, ok := apiErr.Payload.(*api.BoostConflictOutput); ok && ambiguous {
				if s := c.GetState(); s == api.BoostStateRequested || s == api.BoostStateOngoing {
					return w.track(ctx, user, dev) // an earlier attempt went through
				}
			}
			return err
		case errors.As(err, &apiErr) && apiErr.StatusCode == 429:
			continue // refused, not done: try again after the client's pause
		case unknownFate(err):
			ambiguous = true
		default:
			return err
		}
	}
	return fmt.Errorf("watch: boost of %s %s: no answer after %d attempts: %w", dev.Kind, dev.ID, boostAttempts, err)
}

// unknownFate reports whether a failed request may have been carried out:
// no answer (a timeout, a dropped connection) or a server error; not a
// cancelled call, nor one refused before it was sent (no token).
func unknownFate(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var apiErr *api.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode != 0 {
		return apiErr.StatusCode >= 500
	}
	var tokenErr *oauth.TokenError
	return !errors.As(err, &tokenErr)
}
