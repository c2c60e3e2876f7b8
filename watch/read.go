package watch

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/podero-go/podero/api"
)

// run does a job on a worker.
func (w *Watcher) run(ctx context.Context, j *job) {
	switch j.what {
	case jobDiscovery:
		w.discover(ctx, j)
	case jobRelist:
		w.relist(ctx, j)
	case jobBoost:
		w.pollBoost(ctx, j)
	default:
		w.readUnit(ctx, j)
	}
}

// leaseLeft is how long the replica's leases run from now; a read starts
// only with a part of the lease left, and must end before it.
func (w *Watcher) leaseLeft(now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.leaseUntil.Sub(now)
}

// readUnit reads a unit of a user and applies what it shows.
func (w *Watcher) readUnit(ctx context.Context, j *job) {
	u, key := j.user, j.key
	start := w.now()
	left := w.leaseLeft(start)
	if left < w.o.LeasePeriod/3 {
		// The lease may end mid-read, and another replica read the same
		// devices: wait for the claim loop to renew it.
		w.finish(j, func(now time.Time) { w.scheduleLocked(u, key, jobRead, j.lane, now.Add(time.Second)) })
		return
	}
	rctx, cancel := context.WithTimeout(ctx, left-w.o.LeasePeriod/6)
	defer cancel()
	readings, complete, err := w.fetch(rctx, u, key, j.lane)
	// What the answer shows is seen now: it may have begun after start.
	seen := w.now()
	w.count(err)
	var events []Event
	gone := false
	if err != nil && strings.HasPrefix(key, wallboxUnitPrefix) && api.IsNotFound(err) {
		id, _ := api.ParseUUID(key[len(wallboxUnitPrefix):])
		events, gone, err = u.doc.gone(seen, u.id, id), true, nil
	}
	ud := u.doc.Units[key]
	switch {
	case ctx.Err() != nil:
		w.finish(j, nil)
		return
	case err != nil:
		if ud != nil {
			ud.Fails++
			u.retryAt[key] = start.Add(w.retryBackoff(ud.Fails))
		}
		u.dirty = true
		w.o.Logger.Warn("watch: a read failed; retrying", "user", u.id, "unit", key, "fails", ud.fails(), "err", err)
		events = w.stale(u, seen)
	case gone:
	case key == unitFindWallboxes:
		w.foundWallboxes(u, readings, start)
		u.dirty = true
	default:
		kind := api.DeviceKind(key)
		if strings.HasPrefix(key, wallboxUnitPrefix) {
			kind = api.DeviceKindWb
		}
		events = u.doc.observe(start, seen, u.id, kind, readings, complete)
		if ud != nil {
			if !ud.ReadAt.IsZero() {
				w.mu.Lock()
				w.sweepSum += start.Sub(ud.ReadAt)
				w.sweepN++
				w.mu.Unlock()
			}
			ud.ReadAt, ud.Fails, ud.Urgent = start, 0, false
		}
		u.dirty = true
	}
	if err == nil {
		u.doc.units(u.applied)
		if u.doc.settleBaseline() {
			u.dirty = true
		}
	}
	w.commitEvents(ctx, u, events)
	w.finish(j, func(now time.Time) {
		if !u.dropped {
			w.scheduleUnitsLocked(u, now)
		}
	})
}

func (ud *unitDoc) fails() int {
	if ud == nil {
		return 0
	}
	return ud.Fails
}

// retryBackoff is the wait before the n-th retry of a failed read: 15 s,
// doubling, at most a quarter of the freshness target, so that a missed
// read is retried well before the next period.
func (w *Watcher) retryBackoff(n int) time.Duration {
	d := 15 * time.Second << min(n-1, 10)
	return jitter(min(d, w.o.Freshness/4))
}

// fetch reads a unit: a user's list of a kind, a wallbox, or the user's
// charging configuration (the wallboxes). complete says whether the
// readings are all the devices of the kind.
func (w *Watcher) fetch(ctx context.Context, u *userRT, key string, l lane) ([]reading, bool, error) {
	opts := w.callOptions(l)
	var devices []api.Device
	switch {
	case key == string(api.DeviceKindEV):
		list, err := w.c.ListElectricVehicles(ctx, u.id, opts...)
		if err != nil {
			return nil, false, err
		}
		for i := range list {
			devices = append(devices, &list[i])
		}
	case key == string(api.DeviceKindHp):
		list, err := w.c.ListHeatPumps(ctx, u.id, opts...)
		if err != nil {
			return nil, false, err
		}
		for i := range list {
			devices = append(devices, &list[i])
		}
	case key == string(api.DeviceKindIv):
		list, err := w.c.ListInverters(ctx, u.id, opts...)
		if err != nil {
			return nil, false, err
		}
		for i := range list {
			devices = append(devices, &list[i])
		}
	case strings.HasPrefix(key, wallboxUnitPrefix):
		id, err := api.ParseUUID(key[len(wallboxUnitPrefix):])
		if err != nil {
			return nil, false, err
		}
		wb, err := w.c.GetWallbox(ctx, u.id, id, opts...)
		if err != nil {
			return nil, false, err
		}
		return []reading{readingOf(wb)}, false, nil // one wallbox of the user's: not a list
	case key == unitFindWallboxes:
		cfg, err := w.c.GetChargingConfig(ctx, u.id, opts...)
		if err != nil {
			return nil, false, err
		}
		var out []reading
		for _, d := range cfg.GetDevices() {
			if d.GetDeviceType() == string(api.DeviceKindWb) {
				out = append(out, reading{kind: api.DeviceKindWb, id: d.GetDeviceID()})
			}
		}
		return out, true, nil
	}
	out := make([]reading, 0, len(devices))
	for _, d := range devices {
		out = append(out, readingOf(d))
	}
	return out, true, nil
}

// foundWallboxes applies the wallboxes a user's charging configuration
// lists: each one not known gets a unit, read at once (its DeviceAdded
// comes from that read); each one known but not listed is read at once,
// to see whether it is gone.
func (w *Watcher) foundWallboxes(u *userRT, found []reading, now time.Time) {
	listed := map[api.UUID]bool{}
	for _, r := range found {
		listed[r.id] = true
		key := wallboxUnit(r.id)
		if u.doc.Units[key] == nil {
			u.doc.Units[key] = &unitDoc{Urgent: true}
		}
	}
	for id, dev := range u.doc.Devices {
		if dev.Kind == api.DeviceKindWb && !listed[id] {
			if ud := u.doc.Units[wallboxUnit(id)]; ud != nil {
				ud.Urgent = true
			}
		}
	}
	if ud := u.doc.Units[unitFindWallboxes]; ud != nil {
		ud.ReadAt, ud.Fails, ud.Urgent = now, 0, false
	}
}

// stale opens a Stale episode for each device of a busy user not read
// by its deadline.
func (w *Watcher) stale(u *userRT, now time.Time) []Event {
	var out []Event
	for _, id := range slices.SortedFunc(maps.Keys(u.doc.Devices), compareIDs) {
		dev := u.doc.Devices[id]
		if dev.Stale != "" || !now.After(w.deadline(id, dev, dev.ReadAt)) {
			continue
		}
		dev.Stale = "stale:" + id.String() + ":" + ms(now)
		out = append(out, Stale{Header: Header{ID: dev.Stale, At: now, User: u.id}, Device: Device{Kind: dev.Kind, ID: id}, Since: dev.ReadAt})
		u.dirty = true
	}
	return out
}

// relist applies a user's new listing: units for kinds the user now has,
// units read at once where counts changed, and every device gone when the
// user is.
func (w *Watcher) relist(ctx context.Context, j *job) {
	u := j.user
	w.mu.Lock()
	nl := u.listing
	w.mu.Unlock()
	old := u.applied
	u.applied = nl
	var events []Event
	if nl.Gone {
		now := w.now()
		for _, id := range slices.SortedFunc(maps.Keys(u.doc.Devices), compareIDs) {
			events = append(events, u.doc.gone(now, u.id, id)...)
		}
	}
	u.doc.units(nl)
	u.doc.settleBaseline()
	for _, k := range []api.DeviceKind{api.DeviceKindEV, api.DeviceKindHp, api.DeviceKindIv, api.DeviceKindWb} {
		if old.Counts[k] == nl.Counts[k] {
			continue
		}
		key := string(k)
		if k == api.DeviceKindWb {
			key = unitFindWallboxes
		}
		if ud := u.doc.Units[key]; ud != nil {
			ud.Urgent = true
		}
	}
	u.dirty = true
	w.commitEvents(ctx, u, events)
	w.finish(j, func(now time.Time) {
		if !u.dropped {
			w.scheduleUnitsLocked(u, now)
		}
	})
}

// commitEvents writes the user's state with events, before they can be
// delivered. A user whose lease is lost is dropped, its events with it:
// the replica that holds it now reads the same devices again.
func (w *Watcher) commitEvents(ctx context.Context, u *userRT, events []Event) {
	if len(events) == 0 || u.dropped {
		return
	}
	state, err := json.Marshal(&u.doc)
	if err != nil {
		panic("watch: encode a user's state: " + err.Error())
	}
	b := &Batch{Replica: w.o.Replica, Now: w.now(), States: []UserState{{User: u.id, Data: state}}}
	for _, ev := range events {
		b.Events = append(b.Events, StoredEvent{ID: ev.EventID(), User: u.id, Data: encodeEvent(ev)})
	}
	err = w.o.Store.Commit(ctx, b)
	var lost *LeaseLostError
	switch {
	case errors.As(err, &lost):
		w.mu.Lock()
		w.dropLocked(u)
		w.mu.Unlock()
		return
	case err != nil:
		// The events are not written: forget the state that produced them,
		// so that the next read finds the same changes again.
		w.o.Logger.Warn("watch: write events; the user is read afresh", "user", u.id, "err", err)
		w.reload(ctx, u)
		return
	}
	u.dirty = false
	w.mu.Lock()
	w.stats.Events += len(events)
	w.mu.Unlock()
	signal(w.wakeSend)
}

// reload forgets what the replica holds of a user in memory and gives its
// lease up at the next claim, which takes it afresh from the store.
func (w *Watcher) reload(ctx context.Context, u *userRT) {
	w.mu.Lock()
	w.dropLocked(u)
	w.release = append(w.release, u.id)
	w.mu.Unlock()
	signal(w.claimNow)
}

// discover lists the users: new users and changed listings are written
// with their UserAdded and OnboardingCompleted events, users no longer
// listed are marked gone, and the replica claims at once, to take new
// users.
func (w *Watcher) discover(ctx context.Context, j *job) {
	users, err := w.c.ListUsers(ctx, api.ListUsersParams{}, w.callOptions(laneDiscovery)...)
	w.count(err)
	retry := w.o.UsersEvery
	if err != nil {
		if ctx.Err() == nil {
			w.o.Logger.Warn("watch: list the users", "err", err)
		}
		retry = min(retry, 30*time.Second)
	} else if err := w.applyUsers(ctx, users); err != nil && ctx.Err() == nil {
		w.o.Logger.Warn("watch: write the users list", "err", err)
		retry = min(retry, 30*time.Second)
	}
	w.finish(j, func(now time.Time) {
		if w.discovery == j {
			j.due = now.Add(retry)
		}
	})
}

// applyUsers compares the users list with the listings known.
func (w *Watcher) applyUsers(ctx context.Context, users []api.UserOutput) error {
	now := w.now()
	w.mu.Lock()
	known, baselining := w.listings, w.baselining
	w.mu.Unlock()
	if known == nil {
		return nil // the discovery lease was lost meanwhile
	}
	b := &Batch{Replica: w.o.Replica, Now: now}
	next := map[api.UUID]listing{}
	listed := map[api.UUID]bool{}
	for i := range users {
		uo := &users[i]
		id := uo.GetID()
		listed[id] = true
		l := listing{Counts: map[api.DeviceKind]int{}, Onboarded: uo.GetIsOnboarded()}
		for k, n := range map[api.DeviceKind]int{api.DeviceKindEV: uo.GetNumElectricVehicles(), api.DeviceKindHp: uo.GetNumHeatPumps(),
			api.DeviceKindIv: uo.GetNumInverters(), api.DeviceKindWb: uo.GetNumWallboxes()} {
			if n > 0 {
				l.Counts[k] = n
			}
		}
		old, ok := known[id]
		if ok && sameListing(old, l) {
			continue
		}
		l.Baseline = old.Baseline || (!ok && baselining)
		next[id] = l
		b.Listings = append(b.Listings, Listing{User: id, Data: mustJSON(l)})
		if !ok && baselining {
			continue // recorded silently: Options.Baseline
		}
		head := Header{At: now, User: id}
		if !ok {
			head.ID = "user-added:" + id.String()
			b.Events = append(b.Events, StoredEvent{ID: head.ID, User: id, Data: encodeEvent(UserAdded{Header: head})})
		}
		if l.Onboarded && !old.Onboarded {
			head.ID = "onboarded:" + id.String()
			b.Events = append(b.Events, StoredEvent{ID: head.ID, User: id, Data: encodeEvent(OnboardingCompleted{Header: head})})
		}
	}
	for id, l := range known {
		if !listed[id] && !l.Gone {
			l.Gone = true
			next[id] = l
			b.Listings = append(b.Listings, Listing{User: id, Data: mustJSON(l)})
		}
	}
	if len(b.Listings) == 0 {
		w.endBaseline()
		return nil
	}
	if err := w.o.Store.Commit(ctx, b); err != nil {
		return err
	}
	w.endBaseline()
	w.mu.Lock()
	if w.listings != nil {
		for id, l := range next {
			w.listings[id] = l
		}
	}
	w.stats.Events += len(b.Events)
	w.mu.Unlock()
	if len(b.Events) > 0 {
		signal(w.wakeSend)
	}
	// Claim at once: this replica takes its share of new users, and
	// relists those it holds (another replica's claim finds them later).
	signal(w.claimNow)
	return nil
}

// endBaseline ends the baseline of the first listing once it is written:
// users listed later are announced.
func (w *Watcher) endBaseline() {
	w.mu.Lock()
	w.baselining = false
	w.mu.Unlock()
}

func sameListing(a, b listing) bool {
	if a.Onboarded != b.Onboarded || a.Gone != b.Gone || len(a.Counts) != len(b.Counts) {
		return false
	}
	for k, n := range a.Counts {
		if b.Counts[k] != n {
			return false
		}
	}
	return true
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("watch: encode: " + err.Error())
	}
	return b
}
