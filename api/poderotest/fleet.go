package poderotest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// Fleet is what [Server.Populate] creates: Users users with devices.
type Fleet struct {
	Users int
	// Devices is how many devices of each type a user has on average: each
	// user gets the whole part, and one more with the fractional part as
	// the chance (1.2: every user one, a fifth of them two). Nil means
	// DefaultDevices.
	Devices map[DeviceType]float64
	// Seed makes the fleet: the same seed gives the same composition and
	// states (ids are random).
	Seed uint64
}

// DefaultDevices is a fleet's mix when Fleet.Devices is nil: every user
// has an electric vehicle, about a third a heat pump or an inverter, a
// quarter a wallbox: 1.9 devices a user.
var DefaultDevices = map[DeviceType]float64{ElectricVehicle: 1, HeatPump: 0.35, Inverter: 0.3, Wallbox: 0.25}

// FleetUser is a user Populate created, with their devices.
type FleetUser struct {
	ID      openapi_types.UUID
	Devices []FleetDevice
}

// FleetDevice is a device Populate created.
type FleetDevice struct {
	ID   openapi_types.UUID
	Type DeviceType
}

// deviceTypes in the order Populate creates them.
var deviceTypes = []DeviceType{ElectricVehicle, HeatPump, Inverter, Wallbox}

// Populate creates f.Users onboarded users, each with connected devices
// drawn from f.Devices, at the fake's clock's now, in one call. Each
// device's state was last refreshed (current_state_last_updated_at) up to
// 15 minutes before; vehicles and wallboxes are plugged in or not, and some
// charge. The users' emails are fleet-<n>@poderotest.example and their
// external_user_id fleet-<n>, counting on from earlier calls.
func (s *Server) Populate(f Fleet) ([]FleetUser, error) {
	mix := f.Devices
	if mix == nil {
		mix = DefaultDevices
	}
	for t, n := range mix {
		if deviceKind(string(t)) == nil || n < 0 || math.IsNaN(n) || n > 100 {
			return nil, fmt.Errorf("poderotest: Populate: %q: %v devices a user: want a device type (ev, hp, iv, wb) and 0 to 100", t, n)
		}
	}
	if f.Users < 0 {
		return nil, fmt.Errorf("poderotest: Populate: %d users", f.Users)
	}
	r := rand.New(rand.NewPCG(f.Seed, 0x5eed))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	now := s.now()
	out := make([]FleetUser, 0, f.Users)
	for range f.Users {
		s.fleetUsers++
		n := s.fleetUsers
		user := s.create(kindNamed("user"), "", map[string]any{"role": "user",
			"email": fmt.Sprintf("fleet-%d@poderotest.example", n), "external_user_id": fmt.Sprintf("fleet-%d", n),
			"first_name": "Fleet", "last_name": fmt.Sprint(n)})
		fu := FleetUser{ID: parseID(user.id())}
		for _, t := range deviceTypes {
			count := int(mix[t])
			if r.Float64() < mix[t]-float64(count) {
				count++
			}
			for range count {
				dev := s.create(kindNamed(string(t)), user.id(), nil)
				// The state was last refreshed before now: the change
				// process, if any, adopts the device at its first note
				// and refreshes it next after that.
				last := now.Add(-time.Duration(r.Int64N(int64(15 * time.Minute)))).Truncate(time.Second)
				setPresent(dev.obj, map[string]any{"current_state_last_updated_at": timestamp(last)})
				if c := dev.ch; c != nil {
					c.plugged = r.Float64() < 0.5
					if c.plugged && r.Float64() < 0.2 {
						s.setCharging(dev, true, now)
					}
				}
				if dev.kind.name == string(ElectricVehicle) {
					dev.obj["battery_level"] = 20 + r.IntN(70)
				}
				s.authenticate(dev, nil) // notes it
				fu.Devices = append(fu.Devices, FleetDevice{ID: parseID(dev.id()), Type: t})
			}
		}
		out = append(out, fu)
	}
	return out, nil
}

// Changes is a seedable process that changes the fleet as time passes on
// the fake's clock, as end users, devices and Podero would, and logs every
// change in the ground truth ([Server.Changes]). Started by
// [Server.StartChanges]. Rates are per day of the fake's time; a zero
// field takes the default in DefaultChanges.
type Changes struct {
	Seed uint64
	// Each device's state refreshes every RefreshMin to RefreshMax
	// (uniformly; default 5 to 15 minutes, as the guides say): its
	// current_state_last_updated_at moves on. What Podero learns from the
	// device (that it needs reauthentication, that it started or stopped
	// charging, that it is gone) it learns at a refresh. A device that needs
	// attention does not refresh until its user reconnects it.
	RefreshMin, RefreshMax time.Duration
	// AttentionPerDay is the chance a day that a device needs its user to
	// reconnect it; CueShare of these episodes carry a reauthenticate action
	// (a cue), the rest only read is_authenticated false. An episode lasts
	// a log-normal time of median AttentionMedian (spread AttentionSpread,
	// the sigma of its logarithm), then the user reconnects the device.
	AttentionPerDay, CueShare float64
	AttentionMedian           time.Duration
	AttentionSpread           float64
	// ChargesPerDay is how often a day an idle electric vehicle or wallbox
	// starts to charge; a charge lasts about ChargeMedian (log-normal,
	// spread 0.5), up to the refresh after that.
	ChargesPerDay float64
	ChargeMedian  time.Duration
	// Boosts requested through the API start after BoostDelayMin to
	// BoostDelayMax (uniformly; the charger must be plugged in), and of
	// them BoostUnavailable end "unavailable" and BoostNever never start
	// (they stay "requested"); the rest charge ("ongoing").
	BoostDelayMin, BoostDelayMax time.Duration
	BoostUnavailable, BoostNever float64
	// OnboardingsPerDay is how many onboardings a day complete for
	// existing users: a new device appears for one of them. NewUsersPerDay
	// is how many users join a day; each onboards a first device
	// FirstDeviceAfter later (log-normal, spread 0.5), when is_onboarded
	// turns true.
	OnboardingsPerDay, NewUsersPerDay float64
	FirstDeviceAfter                  time.Duration
	// GonePerDay is the chance a day that a device is deleted.
	GonePerDay float64
}

// DefaultChanges are the values a zero field of Changes takes. Set a rate
// to a negative number for none of it.
var DefaultChanges = Changes{
	RefreshMin: 5 * time.Minute, RefreshMax: 15 * time.Minute,
	AttentionPerDay: 0.02, CueShare: 0.7, AttentionMedian: 40 * time.Minute, AttentionSpread: 1,
	ChargesPerDay: 1, ChargeMedian: 2 * time.Hour,
	BoostDelayMin: 5 * time.Second, BoostDelayMax: 30 * time.Second, BoostUnavailable: 0.1, BoostNever: 0.05,
	OnboardingsPerDay: 10, NewUsersPerDay: 10, FirstDeviceAfter: 30 * time.Minute,
	GonePerDay: 0.001,
}

// withDefaults fills the zero fields from DefaultChanges and makes
// negative rates zero.
func (c Changes) withDefaults() Changes {
	d := DefaultChanges
	dur := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	rate := func(v *float64, def float64) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0:
			*v = 0
		}
	}
	dur(&c.RefreshMin, d.RefreshMin)
	dur(&c.RefreshMax, d.RefreshMax)
	dur(&c.AttentionMedian, d.AttentionMedian)
	dur(&c.ChargeMedian, d.ChargeMedian)
	dur(&c.BoostDelayMin, d.BoostDelayMin)
	dur(&c.BoostDelayMax, d.BoostDelayMax)
	dur(&c.FirstDeviceAfter, d.FirstDeviceAfter)
	rate(&c.AttentionPerDay, d.AttentionPerDay)
	rate(&c.CueShare, d.CueShare)
	rate(&c.AttentionSpread, d.AttentionSpread)
	rate(&c.ChargesPerDay, d.ChargesPerDay)
	rate(&c.BoostUnavailable, d.BoostUnavailable)
	rate(&c.BoostNever, d.BoostNever)
	rate(&c.OnboardingsPerDay, d.OnboardingsPerDay)
	rate(&c.NewUsersPerDay, d.NewUsersPerDay)
	rate(&c.GonePerDay, d.GonePerDay)
	return c
}

// process is the running change process.
type process struct {
	c   Changes
	org *rand.Rand // draws of the organization's events
}

// deviceProc is the process's state of one device. Each device draws from
// a generator of its own, seeded by the process's seed and the device's
// creation number, so that what happens to it does not depend on the
// order in which requests reach the fake, nor on its random id.
type deviceProc struct {
	r          *rand.Rand
	gen        int       // the generation of the refresh scheduled; older ones are void
	chargeStop time.Time // a charge the process started stops at the first refresh after
	boosts     int
}

// StartChanges starts the change process c at the fake's clock's now, for
// the devices there are and those to come. Calling it again replaces the
// process.
func (s *Server) StartChanges(c Changes) error {
	c = c.withDefaults()
	if c.RefreshMin <= 0 || c.RefreshMax < c.RefreshMin || c.BoostDelayMax < c.BoostDelayMin || c.CueShare > 1 ||
		c.BoostUnavailable+c.BoostNever > 1 {
		return fmt.Errorf("poderotest: StartChanges: inconsistent settings %+v", c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	now := s.now()
	s.proc = &process{c: c, org: rand.New(rand.NewPCG(c.Seed, 0x0e9))}
	for _, user := range s.owned[""] {
		for _, dev := range s.owned[user.id()] {
			if dev.kind.isDevice {
				s.adopt(dev, now)
			}
		}
	}
	s.scheduleOrg(now, dueOnboarding, c.OnboardingsPerDay)
	s.scheduleOrg(now, dueNewUser, c.NewUsersPerDay)
	return nil
}

// adopt gives a device its process state and schedules its next refresh
// after its last one (current_state_last_updated_at, or else t). s.mu must
// be held.
func (s *Server) adopt(dev *record, t time.Time) {
	p := s.proc
	t = t.Truncate(time.Second)
	if last, ok := dev.obj["current_state_last_updated_at"].(string); ok {
		if at, err := time.Parse(time.RFC3339, last); err == nil {
			t = at
		}
	}
	dev.proc = &deviceProc{r: rand.New(rand.NewPCG(p.c.Seed, uint64(dev.seq)))}
	s.scheduleRefresh(dev, t.Add(p.refreshInterval(dev.proc.r)))
}

// refreshInterval draws the time to a device's next refresh.
func (p *process) refreshInterval(r *rand.Rand) time.Duration {
	return seconds(p.c.RefreshMin + time.Duration(r.Int64N(int64(p.c.RefreshMax-p.c.RefreshMin)+1)))
}

// seconds rounds d down to whole seconds (at least one), the precision of
// the API's timestamps, so that the ground truth's times are what the API
// shows.
func seconds(d time.Duration) time.Duration { return max(d.Truncate(time.Second), time.Second) }

// boostOutcome draws how a boost of dev will end, and its delay.
func (p *process) boostOutcome(dev *record) (boostOutcome, time.Duration) {
	d := dev.proc
	if d == nil {
		return boostOngoing, BoostStartDelay
	}
	d.boosts++
	delay := seconds(p.c.BoostDelayMin + time.Duration(d.r.Int64N(int64(p.c.BoostDelayMax-p.c.BoostDelayMin)+1)))
	switch x := d.r.Float64(); {
	case x < p.c.BoostNever:
		return boostNever, delay
	case x < p.c.BoostNever+p.c.BoostUnavailable:
		return boostUnavailable, delay
	}
	return boostOngoing, delay
}

// chance is the probability that an event of perDay a day happens within d.
func chance(perDay float64, d time.Duration) float64 {
	return 1 - math.Exp(-perDay*d.Hours()/24)
}

// logNormal draws a duration of the given median and spread.
func logNormal(r *rand.Rand, median time.Duration, spread float64) time.Duration {
	return seconds(time.Duration(float64(median) * math.Exp(spread*r.NormFloat64())))
}

// scheduleOrg schedules the organization's next event of a kind that
// happens perDay times a day, after t.
func (s *Server) scheduleOrg(t time.Time, what dueKind, perDay float64) {
	if perDay <= 0 {
		return
	}
	gap := seconds(time.Duration(s.proc.org.ExpFloat64() / perDay * float64(24*time.Hour)))
	s.schedule(&due{at: t.Add(gap), what: what})
}

// scheduleRefresh schedules a device's next refresh at t, voiding the one
// scheduled before.
func (s *Server) scheduleRefresh(dev *record, t time.Time) {
	dev.proc.gen++
	s.schedule(&due{at: t, what: dueRefresh, rec: dev, gen: dev.proc.gen})
}

// process does one thing the change process scheduled. s.mu must be held.
func (s *Server) process(d *due) {
	p := s.proc
	if p == nil {
		return
	}
	t := d.at
	switch d.what {
	case dueOnboarding:
		s.scheduleOrg(t, dueOnboarding, p.c.OnboardingsPerDay)
		if users := s.owned[""]; len(users) > 0 {
			user := users[p.org.IntN(len(users))]
			if user.kind.name == "user" {
				s.onboard(user, deviceTypes[p.org.IntN(len(deviceTypes))], t)
			}
		}
	case dueNewUser:
		s.scheduleOrg(t, dueNewUser, p.c.NewUsersPerDay)
		s.fleetUsers++
		n := s.fleetUsers
		user := s.createAt(kindNamed("user"), "", map[string]any{"role": "user",
			"email": fmt.Sprintf("fleet-%d@poderotest.example", n), "external_user_id": fmt.Sprintf("fleet-%d", n)}, t)
		s.schedule(&due{at: t.Add(logNormal(p.org, p.c.FirstDeviceAfter, 0.5)), what: dueFirstDevice, rec: user})
	case dueFirstDevice:
		if s.records[d.rec.id()] == d.rec {
			s.onboard(d.rec, deviceTypes[p.org.IntN(len(deviceTypes))], t)
		}
	case dueReconnect:
		dev := d.rec
		if s.records[dev.id()] != dev || dev.proc == nil || d.gen != dev.proc.gen {
			return
		}
		// The end user reconnects it, and Podero refreshes its state.
		s.authenticateAt(dev, nil, t)
		s.reported(dev, t)
		s.note(dev, t)
		s.scheduleRefresh(dev, t.Add(p.refreshInterval(dev.proc.r)))
	case dueRefresh:
		dev := d.rec
		if s.records[dev.id()] != dev || dev.proc == nil || d.gen != dev.proc.gen {
			return
		}
		s.refresh(dev, t)
	}
}

// onboard completes an onboarding of a new device of type k for user at t.
func (s *Server) onboard(user *record, k DeviceType, t time.Time) {
	session := s.createAt(kindNamed("onboarding"), user.id(), map[string]any{"device_type": string(k)}, t)
	session.input = map[string]any{}
	session.obj["device_type"] = string(k)
	_, _ = s.completeOnboardingAt(session.id(), t) // a new device: it cannot fail
}

// refresh is a device's state refresh at t, and what Podero learns at it.
func (s *Server) refresh(dev *record, t time.Time) {
	p, d := s.proc, dev.proc
	interval := p.refreshInterval(d.r)
	if dev.obj["is_authenticated"] != true { // needs attention: no state until reconnected
		s.scheduleRefresh(dev, t.Add(interval))
		return
	}
	since := interval // the chance of what happened since the last refresh
	switch x := d.r.Float64(); {
	case x < chance(p.c.GonePerDay, since):
		s.removeAt(dev, t)
		return
	case x < chance(p.c.GonePerDay, since)+chance(p.c.AttentionPerDay, since):
		withCue := d.r.Float64() < p.c.CueShare
		s.disconnect(dev, withCue, t)
		s.note(dev, t)
		d.gen++ // no refresh until the user reconnects
		s.schedule(&due{at: t.Add(logNormal(d.r, p.c.AttentionMedian, p.c.AttentionSpread)), what: dueReconnect, rec: dev, gen: d.gen})
		return
	}
	if c := dev.ch; c != nil {
		switch {
		case c.charging && !d.chargeStop.IsZero() && !t.Before(d.chargeStop):
			s.setCharging(dev, false, t)
			d.chargeStop = time.Time{}
			if d.r.Float64() < 0.5 {
				s.setPlugged(dev, false, t)
			}
		case c.charging && d.chargeStop.IsZero(): // started by a boost, or before the process
			d.chargeStop = t.Add(logNormal(d.r, p.c.ChargeMedian, 0.5))
		case !c.charging && c.boost == nil && d.r.Float64() < chance(p.c.ChargesPerDay, since):
			s.setCharging(dev, true, t)
			d.chargeStop = t.Add(logNormal(d.r, p.c.ChargeMedian, 0.5))
		case !c.charging && c.boost == nil && !c.plugged && d.r.Float64() < 0.3:
			s.setPlugged(dev, true, t)
		}
		if level, ok := dev.obj["battery_level"].(int); ok {
			if c.charging {
				level = min(level+1+d.r.IntN(5), 95)
			} else if d.r.Float64() < 0.3 {
				level = max(level-1-d.r.IntN(3), 10)
			}
			dev.obj["battery_level"] = level
		}
	}
	s.reported(dev, t)
	s.note(dev, t)
	s.scheduleRefresh(dev, t.Add(interval))
}

// Disconnect breaks a device's connection to its cloud account without a
// cue: it reads is_authenticated false, lifecycle_state "error" and
// statuses "error", with no pending action, as Podero shows a device whose
// authorization failed before it raises a reauthenticate action (see
// [Server.RequireReauthentication] for one with). [Server.Reconnect], or a
// completed reauthentication session, ends it.
func (s *Server) Disconnect(deviceID openapi_types.UUID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev := s.records[deviceID.String()]
	if dev == nil || !dev.kind.isDevice {
		return fmt.Errorf("poderotest: no device %s", deviceID)
	}
	s.tick()
	s.disconnect(dev, false, s.now())
	s.note(dev, s.now())
	return nil
}

// Reconnect does what an end user reconnecting a device does: it is
// authenticated again, and its reauthenticate actions end, as when a
// reauthentication session completes.
func (s *Server) Reconnect(deviceID openapi_types.UUID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev := s.records[deviceID.String()]
	if dev == nil || !dev.kind.isDevice {
		return fmt.Errorf("poderotest: no device %s", deviceID)
	}
	s.tick()
	s.authenticate(dev, nil)
	return nil
}

// RemoveDevice deletes a device, as its user removing it from Podero
// would: it is no longer listed, and reading it is 404.
func (s *Server) RemoveDevice(deviceID openapi_types.UUID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev := s.records[deviceID.String()]
	if dev == nil || !dev.kind.isDevice {
		return fmt.Errorf("poderotest: no device %s", deviceID)
	}
	s.tick()
	s.removeAt(dev, s.now())
	return nil
}

// disconnect breaks a device's connection at t, with a reauthenticate
// action or without.
func (s *Server) disconnect(dev *record, withCue bool, t time.Time) {
	setPresent(dev.obj, map[string]any{"is_authenticated": false, "lifecycle_state": "error",
		"lifecycle_error":   "reauthentication required: the authorization at the manufacturer expired or was revoked",
		"connection_status": "error", "monitoring_status": "error", "steering_status": "error",
		"updated_at": timestamp(t)})
	if withCue && !slices.ContainsFunc(dev.actions, func(c *cue) bool { return c.code == reauthenticate }) {
		s.addCue(dev, reauthenticate)
	}
}
