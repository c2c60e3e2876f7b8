package watchbench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
)

// Scenario is a run of watchers against a simulated fleet.
type Scenario struct {
	Name      string
	Devices   int           // about this many (users: Devices / 1.9)
	Duration  time.Duration // simulated
	Freshness time.Duration
	Replicas  int
	// Kills are the times (from the start) at which the process is killed:
	// with Restart > 0, the one replica's, restarted Restart later on the
	// same store; otherwise the last replica's, for good.
	Kills   []time.Duration
	Restart time.Duration
	// Windows are the fault windows, from the start.
	Windows []poderotest.FaultWindow
	// BoostsPerHour is how many boosts a simulated hour the end users
	// request (through a live replica's Watcher.Boost).
	BoostsPerHour float64
	// Store returns replica i's store; a replica restarted gets the store
	// again (Close was called on the one before). Shared stores return the
	// same one for every i.
	Store func(t testing.TB, i int) watch.Store
	Seed  uint64
}

// The pace of the simulation: each replica's client may send 25
// requests a second (burst 10), the watcher plans for 20, and the fake
// limits each access token to 40.
const (
	clientRate  = 25
	watcherRate = 20
	fakeRate    = 40
	latency     = 50 * time.Millisecond // each answer takes this long
)

// Result is what a scenario measured.
type Result struct {
	Scenario           Scenario
	Devices            int
	Events             int
	Detectable, Missed int
	Duplicates         int
	AttentionP50       time.Duration
	AttentionP99       time.Duration
	AttentionEpisodes  int
	FaultEpisodes      int           // detectable attention episodes near a fault window, left out of the percentiles
	FaultP99           time.Duration // their p99
	// ThrottledEpisodes are the attention episodes left out of Detectable
	// because they ended in an outage or a throttle below the need (see
	// measure), and ThrottledSeen those of them delivered.
	ThrottledEpisodes, ThrottledSeen int
	BoostP99                         time.Duration
	Boosts                           int
	RequestsPerDeviceHour            float64
	FloorPerDeviceHour               float64 // the ideal schedule of the same rule
	FullSweepPerDeviceHour           float64 // every unit every freshness target
	ConcurrentReads                  int
	MissedByKind                     map[string]int
	DetectableByKind                 map[string]int
	ShortEpisodes, ShortSeen         int
	BoostPolls                       int
	Checked, Unchecked               int
	Types                            map[string]int // events delivered, by type
	Failures                         []string
}

// Line is the result in make bench-watch's format.
func (r Result) Line() string {
	return fmt.Sprintf("watch: scenario=%s devices=%d replicas=%d freshness=%v events=%d detectable=%d missed=%d duplicates=%d "+
		"attention_p50=%v attention_p99=%v boost_p99=%v requests_per_device_hour=%.2f floor_requests_per_device_hour=%.2f",
		r.Scenario.Name, r.Devices, r.Scenario.Replicas, r.Scenario.Freshness, r.Events, r.Detectable, r.Missed, r.Duplicates,
		r.AttentionP50.Round(time.Second), r.AttentionP99.Round(time.Second), r.BoostP99.Round(100*time.Millisecond),
		r.RequestsPerDeviceHour, r.FloorPerDeviceHour)
}

// minuteCount counts attempts by simulated minute: all of them, and the
// boost lane's.
type minuteCount struct {
	mu    sync.Mutex
	all   map[int64]int
	boost map[int64]int
	ops   map[string]int // by operation and priority, for the hourly log
}

func (m *minuteCount) middleware() api.Middleware {
	return api.Middleware{Attempt: func(ctx context.Context, a *api.Attempt, next api.Next) error {
		err := next(ctx)
		if a.Call.Kind == api.CallToken {
			return err
		}
		minute := time.Now().Unix() / 60
		m.mu.Lock()
		m.all[minute]++
		if a.Call.Priority == api.PriorityUrgent {
			m.boost[minute]++
		}
		m.ops[fmt.Sprintf("%s/%d", a.Call.Operation, a.Call.Priority)]++
		m.mu.Unlock()
		return err
	}}
}

// RunScenario runs sc in a synctest bubble and measures it. It fails t for
// what breaks the scenario's promises: a miss, a duplicate, a concurrent
// read, attention p99 over the target and a minute, boost p99 over 10 s.
func RunScenario(t *testing.T, sc Scenario) Result {
	var res Result
	runBubble(t, func(t *testing.T) { res = runScenario(t, sc) })
	for _, f := range res.Failures {
		t.Error(f)
	}
	return res
}

func runScenario(t *testing.T, sc Scenario) Result {
	counts := &minuteCount{all: map[int64]int{}, boost: map[int64]int{}, ops: map[string]int{}}
	f := NewFake(t, 5000)
	srv := f.Srv
	srv.RecordRequests(false)
	srv.SetRateLimit(fakeRate, fakeRate)
	srv.SetLatency(latency)
	users := max(1, int(float64(sc.Devices)/1.9))
	fleet, err := srv.Populate(poderotest.Fleet{Users: users, Seed: sc.Seed})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.StartChanges(poderotest.Changes{Seed: sc.Seed + 1}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, w := range sc.Windows {
		w.Start, w.End = start.Add(w.Start.Sub(time.Time{})), start.Add(w.End.Sub(time.Time{}))
		srv.AddFaultWindow(w)
	}
	rec := NewRecorder()
	warnings := &warnCounter{counts: map[string]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), sc.Duration)
	defer cancel()

	type replica struct {
		w      *watch.Watcher
		store  watch.Store
		cancel context.CancelFunc
		done   chan error
	}
	var mu sync.Mutex
	replicas := make([]*replica, sc.Replicas)
	startReplica := func(i int) {
		store := sc.Store(t, i)
		client := NewClient(t, srv, &api.RateLimit{PerSecond: clientRate, Burst: 10}, counts.middleware())
		w, err := watch.New(client, watch.Options{Store: store, Freshness: sc.Freshness, Rate: watcherRate, Burst: 5,
			Replica: fmt.Sprintf("replica-%d", i), Logger: slog.New(warnings)})
		if err != nil {
			t.Fatal(err)
		}
		rctx, rcancel := context.WithCancel(ctx)
		r := &replica{w: w, store: store, cancel: rcancel, done: make(chan error, 1)}
		go func() { r.done <- w.Run(rctx, rec.Handle) }()
		mu.Lock()
		replicas[i] = r
		mu.Unlock()
	}
	stop := func(i int) {
		mu.Lock()
		r := replicas[i]
		replicas[i] = nil
		mu.Unlock()
		r.cancel()
		<-r.done
	}
	for i := range sc.Replicas {
		startReplica(i)
	}

	// The end users' boosts: a plugged-in vehicle, a press of "charge now".
	var evs []FleetEV
	for _, u := range fleet {
		for _, d := range u.Devices {
			if d.Type == poderotest.ElectricVehicle {
				evs = append(evs, FleetEV{User: u.ID, EV: d.ID})
			}
		}
	}
	boostErrs := 0
	var boostWG sync.WaitGroup
	if sc.BoostsPerHour > 0 {
		boostWG.Go(func() {
			r := rand.New(rand.NewPCG(sc.Seed, 0xb005))
			for {
				gap := time.Duration(r.ExpFloat64() / sc.BoostsPerHour * float64(time.Hour))
				select {
				case <-ctx.Done():
					return
				case <-time.After(gap):
				}
				ev := evs[r.IntN(len(evs))]
				if err := srv.SetVehicleState(ev.EV, poderotest.VehicleState{PluggedIn: ptrTo(true), Charging: ptrTo(false), FullyCharged: ptrTo(false)}); err != nil {
					continue // gone
				}
				mu.Lock()
				var live []*replica
				for _, rp := range replicas {
					if rp != nil {
						live = append(live, rp)
					}
				}
				mu.Unlock()
				if len(live) == 0 {
					continue // the process is down: the press is lost with it
				}
				if err := live[r.IntN(len(live))].w.Boost(ctx, ev.User, ev.EV); err != nil && ctx.Err() == nil {
					boostErrs++
				}
			}
		})
	}

	// Every simulated hour, for the log: the watchers' gauges, the events.
	if os.Getenv("PODERO_BENCH_WATCH_HOURLY") != "" {
		boostWG.Go(func() {
			for h := 1; ; h++ {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Hour):
				}
				mu.Lock()
				for i, rp := range replicas {
					if rp != nil {
						st := rp.w.Stats()
						t.Logf("%s %2dh replica %d: %.1f req/s, need %.1f, sweep %v, oldest %v, users %d, events %d, calls %d (%d failed), attempts %d (%d 429s)",
							sc.Name, h, i, st.RequestsPerSecond, st.Need, st.SweepDuration.Round(time.Second), st.OldestReading.Round(time.Second),
							st.Users, st.Events, st.Requests, st.Failed, st.Attempts, st.RateLimited)
					}
				}
				mu.Unlock()
				t.Logf("%s %2dh warnings %v", sc.Name, h, warnings.take())
				counts.mu.Lock()
				t.Logf("%s %2dh requests %v", sc.Name, h, counts.ops)
				counts.ops = map[string]int{}
				counts.mu.Unlock()
				evs, _ := rec.Snapshot()
				t.Logf("%s %2dh events %v", sc.Name, h, Types(evs))
			}
		})
	}

	// The kills.
	for _, at := range sc.Kills {
		time.Sleep(time.Until(start.Add(at)))
		victim := sc.Replicas - 1
		mu.Lock()
		st := replicas[victim].store
		mu.Unlock()
		stop(victim)
		if sc.Restart > 0 {
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(sc.Restart)
			startReplica(victim)
		}
	}
	<-ctx.Done()
	for i := range replicas {
		mu.Lock()
		r := replicas[i]
		mu.Unlock()
		if r != nil {
			stop(i)
			if sc.Replicas == 1 || sc.Restart > 0 {
				r.store.Close()
			}
		}
	}
	boostWG.Wait()
	end := time.Now()
	return measure(t, sc, f, rec, counts, start, end, boostErrs)
}

// Scenarios are make bench-watch's, at the scale of the environment:
// PODERO_BENCH_WATCH_DEVICES (10,000) and PODERO_BENCH_WATCH_HOURS (24).
func Scenarios() map[string]Scenario {
	devices, hours := 10000, 24.0
	if n, err := strconv.Atoi(os.Getenv("PODERO_BENCH_WATCH_DEVICES")); err == nil && n > 0 {
		devices = n
	}
	if h, err := strconv.ParseFloat(os.Getenv("PODERO_BENCH_WATCH_HOURS"), 64); err == nil && h > 0 {
		hours = h
	}
	day := time.Duration(hours * float64(time.Hour))
	at := func(frac float64) time.Time { return time.Time{}.Add(time.Duration(frac * float64(day))) }
	base := Scenario{Devices: devices, Duration: day, Freshness: 10 * time.Minute, Replicas: 1, BoostsPerHour: 10, Seed: 1}
	steady, restart, storm := base, base, base
	steady.Name = "steady"
	restart.Name, restart.Kills, restart.Restart = "restart", []time.Duration{day / 3, 2 * day / 3}, 15*time.Second
	storm.Name = "storm"
	storm.Windows = []poderotest.FaultWindow{
		{Start: at(0.3), End: at(0.3).Add(20 * time.Minute), PerSecond: 3},            // Podero's limit drops: 429s
		{Start: at(0.6), End: at(0.6).Add(15 * time.Minute), Status: 503, Share: 0.5}, // half the requests fail
	}
	replicas := base
	replicas.Name, replicas.Replicas, replicas.Kills = "replicas", 3, []time.Duration{day / 2}
	return map[string]Scenario{"steady": steady, "restart": restart, "storm": storm, "replicas": replicas}
}

// Wanted reports whether the scenarios named in want (PODERO_BENCH_WATCH:
// names separated by commas, or "all") include name.
func Wanted(want, name string) bool {
	return want == "all" || strings.Contains(","+want+",", ","+name+",")
}

// FleetEV is a vehicle of the fleet and its user.
type FleetEV struct{ User, EV api.UUID }

func ptrTo[T any](v T) *T { return &v }

// inWindow reports whether t is in a fault window of sc.
func inWindow(sc Scenario, start, t time.Time) bool {
	for _, w := range sc.Windows {
		if !t.Before(start.Add(w.Start.Sub(time.Time{}))) && t.Before(start.Add(w.End.Sub(time.Time{}))) {
			return true
		}
	}
	return false
}

// nearWindow reports whether an episode that began at s is detected near a
// fault window: whether [s, s+F] meets a window or the target after it.
func nearWindow(sc Scenario, start, s time.Time, F time.Duration) bool {
	for _, w := range sc.Windows {
		ws, we := start.Add(w.Start.Sub(time.Time{})), start.Add(w.End.Sub(time.Time{})).Add(F)
		if s.Add(F).After(ws) && s.Before(we) {
			return true
		}
	}
	return false
}

// measure compares what was delivered with the ground truth.
func measure(t *testing.T, sc Scenario, f *Fake, rec *Recorder, counts *minuteCount, start, end time.Time, boostErrs int) Result {
	changes := f.Srv.Changes()
	events, count := rec.Snapshot()
	res := Result{Scenario: sc, Events: len(events), Duplicates: Duplicates(count), ConcurrentReads: f.Srv.ConcurrentReads(),
		MissedByKind: map[string]int{}, DetectableByKind: map[string]int{}, Types: Types(events)}
	res.Checked, res.Unchecked = f.Srv.CheckedResponses()
	F := sc.Freshness
	downtime := func(e *Episode) bool { return false }
	_ = downtime

	// Attention.
	att := AnalyzeAttention(changes, events, F, start, end, func(e *Episode) bool {
		// An episode that ends in a total outage is invisible to a poller.
		// One that ends within a throttle window (PerSecond: 3 a second,
		// below the watcher's need at 2,000 devices and more) and began
		// less than a target before it had at most its first target at
		// full pace: reading every device once under the throttle takes
		// longer than the rest of it, so whether it is seen depends on
		// where its device fell in the slowed sweep. Such episodes are
		// counted apart, with how many were delivered (the # line).
		for _, w := range sc.Windows {
			in := inWindow(Scenario{Windows: []poderotest.FaultWindow{w}}, start, e.End)
			if w.Status >= 500 && (w.Share == 0 || w.Share >= 1) && in {
				return true
			}
			if w.PerSecond > 0 && in && e.Start.Add(F).After(start.Add(w.Start.Sub(time.Time{}))) {
				return true
			}
		}
		return false
	})
	res.ThrottledEpisodes, res.ThrottledSeen = att.Skipped, att.SkippedSeen
	res.DetectableByKind["attention"], res.MissedByKind["attention"] = att.Detectable, att.Missed
	// The latency bounds hold where Podero answers: an episode whose
	// detection (a target after it began) falls in a fault window, or in
	// the target after one, while the watcher catches up at its rate, is
	// reported apart (FaultP99), as requests are counted apart.
	var calm, faulted []time.Duration
	for e, d := range att.Seen {
		if nearWindow(sc, start, e.Start, F) {
			faulted = append(faulted, d)
		} else {
			calm = append(calm, d)
		}
	}
	slices.Sort(calm)
	slices.Sort(faulted)
	res.AttentionP50, res.AttentionP99 = Percentile(calm, 0.5), Percentile(calm, 0.99)
	res.FaultEpisodes, res.FaultP99 = len(faulted), Percentile(faulted, 0.99)
	res.AttentionEpisodes, res.ShortEpisodes, res.ShortSeen = att.Detectable+att.Short, att.Short, att.ShortSeen
	for _, e := range att.MissedEps {
		res.Failures = append(res.Failures, fmt.Sprintf("%s: an attention episode of %s (cue %q) from %v to %v was never delivered",
			sc.Name, e.Device, e.Cue, e.Start.Sub(start), e.End.Sub(start)))
	}

	// The other kinds, by event ID: devices and users added, gone,
	// onboarded (a change at least F before the end), charges that lasted
	// F, boosts settled.
	ids := map[string]bool{}
	charges := map[api.UUID][]time.Time{} // ChargingStarted seen, by device
	settledSeen := map[api.UUID][]time.Time{}
	for _, d := range events {
		ids[d.Ev.EventID()] = true
		switch e := d.Ev.(type) {
		case watch.ChargingStarted:
			charges[e.Device.ID] = append(charges[e.Device.ID], e.At)
		case watch.BoostSettled:
			if e.State != "" {
				settledSeen[e.Device.ID] = append(settledSeen[e.Device.ID], d.At)
			}
		}
	}
	expect := func(kind, id string) {
		res.DetectableByKind[kind]++
		if !ids[id] {
			res.MissedByKind[kind]++
			res.Failures = append(res.Failures, fmt.Sprintf("%s: %s never delivered", sc.Name, id))
		}
	}
	chargeStart := map[api.UUID]time.Time{}
	// A charge that begins less than the target after the last one ended
	// is, to a poller, the same charge: not detectable apart.
	chargeEnd := map[api.UUID]time.Time{}
	visible := func(dev api.UUID, start time.Time) bool {
		end, ok := chargeEnd[dev]
		return !ok || start.Sub(end) >= F
	}
	lived := map[api.UUID]time.Time{} // device added at
	var boostDelays []time.Duration
	requested := map[api.UUID]bool{}
	for _, c := range changes {
		early := c.At.Before(end.Add(-F))
		switch c.Type {
		case poderotest.UserAdded:
			if early {
				expect("user", "user-added:"+c.UserID.String())
			}
		case poderotest.OnboardingCompleted:
			if early {
				expect("onboarding", "onboarded:"+c.UserID.String())
			}
		case poderotest.DeviceAdded:
			lived[c.DeviceID] = c.At
		case poderotest.DeviceGone:
			if added, ok := lived[c.DeviceID]; ok && c.At.Sub(added) >= F {
				expect("device", "device-added:"+c.DeviceID.String())
			}
			delete(lived, c.DeviceID)
			if early {
				expect("gone", "device-gone:"+c.DeviceID.String())
			}
		case poderotest.ChargingStarted:
			chargeStart[c.DeviceID] = c.At
		case poderotest.ChargingStopped:
			if s, ok := chargeStart[c.DeviceID]; ok && c.At.Sub(s) >= F && visible(c.DeviceID, s) {
				res.DetectableByKind["charging"]++
				if !slices.ContainsFunc(charges[c.DeviceID], func(at time.Time) bool { return !at.Before(s) && !at.After(c.At) }) {
					res.MissedByKind["charging"]++
					res.Failures = append(res.Failures, fmt.Sprintf("%s: a charge of %s from %v to %v never delivered", sc.Name, c.DeviceID, s.Sub(start), c.At.Sub(start)))
				}
			}
			delete(chargeStart, c.DeviceID)
			chargeEnd[c.DeviceID] = c.At
		case poderotest.BoostRequested:
			requested[c.DeviceID] = true
		case poderotest.BoostSettled:
			if !requested[c.DeviceID] {
				continue
			}
			delete(requested, c.DeviceID)
			res.Boosts++
			res.DetectableByKind["boost"]++
			seen := settledSeen[c.DeviceID]
			i := sort.Search(len(seen), func(i int) bool { return !seen[i].Before(c.At) })
			if i == len(seen) {
				res.MissedByKind["boost"]++
				res.Failures = append(res.Failures, fmt.Sprintf("%s: a boost of %s settled %q at %v never delivered", sc.Name, c.DeviceID, c.State, c.At.Sub(start)))
				continue
			}
			boostDelays = append(boostDelays, seen[i].Sub(c.At))
			settledSeen[c.DeviceID] = slices.Delete(seen, i, i+1)
		}
	}
	for dev, added := range lived {
		if end.Sub(added) >= F {
			expect("device", "device-added:"+dev.String())
		}
	}
	for dev, s := range chargeStart { // still charging at the end
		if end.Sub(s) >= F && visible(dev, s) {
			res.DetectableByKind["charging"]++
			if !slices.ContainsFunc(charges[dev], func(at time.Time) bool { return !at.Before(s) }) {
				res.MissedByKind["charging"]++
				res.Failures = append(res.Failures, fmt.Sprintf("%s: a charge of %s from %v never delivered", sc.Name, dev, s.Sub(start)))
			}
		}
	}
	slices.Sort(boostDelays)
	res.BoostP99 = Percentile(boostDelays, 0.99)
	for k, n := range res.DetectableByKind {
		res.Detectable += n
		res.Missed += res.MissedByKind[k]
	}
	devices := len(lived)
	res.Devices = devices

	// Requests, outside the fault windows, boosts apart.
	counts.mu.Lock()
	reqs, minutes := 0, 0
	for m := start.Unix() / 60; m < end.Unix()/60; m++ {
		if inWindow(sc, start, time.Unix(m*60, 0)) || inWindow(sc, start, time.Unix(m*60+59, 0)) {
			continue
		}
		minutes++
		reqs += counts.all[m] - counts.boost[m]
		res.BoostPolls += counts.boost[m]
	}
	counts.mu.Unlock()
	hours := float64(minutes) / 60
	res.RequestsPerDeviceHour = float64(reqs) / (float64(devices) * hours)
	floor, full := floors(changes, sc, start, end)
	res.FloorPerDeviceHour, res.FullSweepPerDeviceHour = floor/(float64(devices)*hours), full/(float64(devices)*hours)

	if res.Duplicates > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("%s: %d duplicates", sc.Name, res.Duplicates))
	}
	if res.ConcurrentReads > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("%s: %d concurrent reads of one device", sc.Name, res.ConcurrentReads))
	}
	// Issue 21's budget: outside the fault windows, at most 1.15 times the
	// floor, boosts apart; and the floor, which skips the reads that
	// current_state_last_updated_at says cannot show anything new, below a
	// full sweep.
	if res.RequestsPerDeviceHour > maxOverFloor*res.FloorPerDeviceHour {
		res.Failures = append(res.Failures, fmt.Sprintf("%s: %.2f requests per device-hour, over %.2f times the floor %.2f",
			sc.Name, res.RequestsPerDeviceHour, maxOverFloor, res.FloorPerDeviceHour))
	}
	if res.FloorPerDeviceHour >= res.FullSweepPerDeviceHour {
		res.Failures = append(res.Failures, fmt.Sprintf("%s: the floor %.2f is not below a full sweep's %.2f requests per device-hour",
			sc.Name, res.FloorPerDeviceHour, res.FullSweepPerDeviceHour))
	}
	if res.AttentionP99 > F+time.Minute {
		res.Failures = append(res.Failures, fmt.Sprintf("%s: attention p99 %v, over the target and a minute", sc.Name, res.AttentionP99))
	}
	if res.BoostP99 > 10*time.Second {
		res.Failures = append(res.Failures, fmt.Sprintf("%s: boost p99 %v, over 10 s", sc.Name, res.BoostP99))
	}
	if boostErrs > 0 {
		t.Logf("%s: %d boosts refused", sc.Name, boostErrs)
	}
	return res
}

// maxOverFloor is how far above the floor a scenario's requests may be.
const maxOverFloor = 1.15

// floors counts, outside the scenario's fault windows, the reads of the
// fewest-requests schedule: every unit (a user's list of a kind, a
// wallbox) read exactly at its deadline by the watcher's rule (a target
// after the read, or after current_state_last_updated_at + 5 minutes when
// that is later), with the users listed once per target; and of a full
// sweep, every unit once per target. The fleet is the one populated at the
// start (the few devices added later are left out of both).
func floors(changes []poderotest.Change, sc Scenario, start, end time.Time) (floor, full float64) {
	const minRefresh = 5 * time.Minute
	F := sc.Freshness
	type unit struct{ devices []api.UUID }
	updates := map[api.UUID][]time.Time{}
	units := map[string]*unit{}
	for _, c := range changes {
		switch {
		case c.Type == poderotest.DeviceAdded && !c.At.After(start):
			key := c.UserID.String() + "/" + string(c.Device)
			if c.Device == poderotest.Wallbox {
				key = c.DeviceID.String()
			}
			if units[key] == nil {
				units[key] = &unit{}
			}
			units[key].devices = append(units[key].devices, c.DeviceID)
		case c.Type == poderotest.StateUpdated:
			updates[c.DeviceID] = append(updates[c.DeviceID], c.At)
		}
	}
	// stateAt is a device's last refresh at or before t.
	stateAt := func(dev api.UUID, t time.Time) time.Time {
		u := updates[dev]
		i := sort.Search(len(u), func(i int) bool { return u[i].After(t) })
		if i == 0 {
			return time.Time{}
		}
		return u[i-1]
	}
	count := func(t time.Time) float64 {
		if inWindow(sc, start, t) {
			return 0
		}
		return 1
	}
	for _, u := range units {
		for r := start; r.Before(end); {
			floor += count(r)
			var next time.Time
			for _, dev := range u.devices {
				from := r
				if s := stateAt(dev, r); !s.IsZero() && s.Add(minRefresh).After(r) {
					from = s.Add(minRefresh)
				}
				if d := from.Add(F); next.IsZero() || d.Before(next) {
					next = d
				}
			}
			r = next
		}
		for r := start; r.Before(end); r = r.Add(F) {
			full += count(r)
		}
	}
	for r := start; r.Before(end); r = r.Add(F) { // the users list
		floor += count(r)
		full += count(r)
	}
	return floor, full
}

// Summary is a line for the log: what the scenario line leaves out.
func (r Result) Summary() string {
	kinds := make([]string, 0, len(r.DetectableByKind))
	for k, n := range r.DetectableByKind {
		kinds = append(kinds, fmt.Sprintf("%s %d/%d", k, n-r.MissedByKind[k], n))
	}
	slices.Sort(kinds)
	types := make([]string, 0, len(r.Types))
	for k, n := range r.Types {
		types = append(types, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(types)
	return fmt.Sprintf("%s: events %s; delivered of detectable: %s; attention episodes %d (%d shorter than the target, %d of them seen; "+
		"%d near a fault window, p99 %v, left out of the line's percentiles; "+
		"%d ending in an outage or a throttle below the need, left out of the detectable, %d of them seen); "+
		"boosts settled %d, boost polls %d; full sweep %.2f requests/device-hour (the floor %.2f is %.0f%% of it); "+
		"responses checked against the spec %d (unchecked %d)",
		r.Scenario.Name, strings.Join(types, ", "), strings.Join(kinds, ", "), r.AttentionEpisodes, r.ShortEpisodes, r.ShortSeen,
		r.FaultEpisodes, r.FaultP99.Round(time.Second), r.ThrottledEpisodes, r.ThrottledSeen, r.Boosts, r.BoostPolls,
		r.FullSweepPerDeviceHour, r.FloorPerDeviceHour, 100*r.FloorPerDeviceHour/r.FullSweepPerDeviceHour, r.Checked, r.Unchecked)
}

// warnCounter is a slog handler that counts the watchers' warnings by
// message and error, for the hourly log.
type warnCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (w *warnCounter) Enabled(ctx context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnCounter) Handle(ctx context.Context, r slog.Record) error {
	key := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			key += ": " + a.Value.String()
			if len(key) > 160 {
				key = key[:160]
			}
		}
		return true
	})
	w.mu.Lock()
	w.counts[key]++
	w.mu.Unlock()
	return nil
}
func (w *warnCounter) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnCounter) WithGroup(string) slog.Handler      { return w }

// take returns the counts so far and starts afresh.
func (w *warnCounter) take() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.counts
	w.counts = map[string]int{}
	return out
}
