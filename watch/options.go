package watch

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/podero-go/podero/api"
)

// Options configures a [Watcher]. The zero value of each field selects
// its default.
type Options struct {
	// Store keeps what the watcher knows across restarts, and shares the
	// fleet among replicas: [OpenFile] for one process, pgstore for
	// several. Required: a watcher without a persistent store would
	// announce everything again after each restart (use
	// [NewMemoryStore] in tests).
	Store Store

	// Baseline, on the first run against a fleet that exists already,
	// records what is there without announcing it: the users of the first
	// users listing of a store that has no users are recorded without
	// UserAdded or OnboardingCompleted, and the devices the first read of
	// each of their units finds without DeviceAdded. Everything else is
	// announced as usual: a device of theirs that needs attention (a
	// NeedsAttention is sent), charging, boosts, and every user listed
	// later and its devices. The rule across restarts: a store with users
	// is never baselined again. The first listing is written at once, all
	// or nothing, so a restart before it is written baselines afresh and
	// one after it announces no baselined user; each baselined user keeps
	// the mark in its state until all its units have been read, so a
	// restart meanwhile goes on recording its devices silently. (A store
	// that stays empty, an organization with no users yet, is baselined
	// at each start until a user is listed.) Default false: everything is
	// announced on the first run.
	Baseline bool

	// Freshness is how soon a change on a device is seen: every device is
	// read at least this often (DefaultFreshness), less the reads that
	// MinRefresh lets the watcher skip. FreshnessOf, if set, gives a
	// device its own target (0: Freshness).
	Freshness   time.Duration
	FreshnessOf func(kind api.DeviceKind, device api.UUID) time.Duration

	// MinRefresh is, by kind, the least time between two refreshes of a
	// device's state at Podero: after a read that shows
	// current_state_last_updated_at T, nothing new can show before T +
	// MinRefresh, so the next read is due Freshness after that rather than
	// after the read. Nil means DefaultMinRefresh; a kind that is missing
	// or 0 is read every Freshness regardless.
	MinRefresh map[api.DeviceKind]time.Duration

	// UsersEvery is how often the users are listed (one request for the
	// whole organization, which Podero does not paginate: a megabyte for
	// a few thousand users): new users, and users whose device counts
	// changed, are read first. Default: Freshness / 2, so that a new
	// user's devices are seen within the freshness target and a half.
	UsersEvery time.Duration

	// Rate is how many requests a second the watcher may send, all lanes
	// together, and Burst how many at once after a pause. The watcher
	// paces itself to it (to less while Podero answers 429: each 429
	// halves its pace, each success gives a little back), and reports a
	// Lagging event when reading every device within its freshness target
	// needs more. It should be no more than the client's own pace
	// (api.Config.RateLimit). Default: DefaultRate, burst 1.
	Rate  float64
	Burst int
	// Concurrency is how many requests may be in flight at once
	// (default 4). Reads of one user's devices never overlap.
	Concurrency int

	// HandlerConcurrency is how many events the handler may be given at
	// once (default 4). Events of one device may overlap and be delivered
	// out of order after a retry: use their Observed times to order them.
	HandlerConcurrency int
	// HandlerTimeout bounds one call of the handler (default 1 min); its
	// context ends then, and the event is handed out again later.
	HandlerTimeout time.Duration

	// BoostPoll is how often a boost that is "requested" is read
	// (DefaultBoostPoll, as Podero's dashboard guide advises) during its
	// first two minutes; after that, every 30 s. BoostTimeout is when the
	// watcher gives up a boost that stays "requested" (a vehicle armed
	// while unplugged), with a BoostSettled whose Failed says so. Default:
	// 24 h.
	BoostPoll    time.Duration
	BoostTimeout time.Duration

	// Replica names this watcher among the replicas that share a store;
	// default: a random name. LeasePeriod is how long a replica holds its
	// users without renewing (default 30 s): a replica that dies is
	// replaced within it and the next claim (a third of it).
	Replica     string
	LeasePeriod time.Duration

	// Clock is the watcher's time: api.SystemClock when nil. A simulation
	// gives the watcher, its client and the fake one clock.
	Clock api.Clock
	// Logger, if set, gets the watcher's warnings (failed reads, handler
	// errors) and debug records.
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultFreshness = 10 * time.Minute
	DefaultRate      = 10.0
	DefaultBoostPoll = 3 * time.Second
)

// DefaultMinRefresh is Options.MinRefresh when nil: Podero refreshes a
// device's state every 5 to 15 minutes (guides §8: "Device state updates
// every 5–15 min"; heat pumps and inverters: "Most values update every
// 5-15 minutes" and "check current_state_last_updated_at"). Electric
// vehicles fed by Smartcar's webhooks may update "whenever the vehicle
// reports a change" (guides §8, older page: every 5-10 min), so set their
// entry to 0 if your vehicles report more often; a change that Podero
// shows between two refreshes is then seen up to MinRefresh late.
var DefaultMinRefresh = map[api.DeviceKind]time.Duration{
	api.DeviceKindEV: 5 * time.Minute,
	api.DeviceKindHp: 5 * time.Minute,
	api.DeviceKindIv: 5 * time.Minute,
	api.DeviceKindWb: 5 * time.Minute,
}

func (o Options) withDefaults() (Options, error) {
	if o.Store == nil {
		return o, errors.New("watch: Options.Store is required: watch.OpenFile(path) for one process, pgstore for replicas")
	}
	if o.Freshness == 0 {
		o.Freshness = DefaultFreshness
	}
	if o.Freshness < time.Minute {
		return o, fmt.Errorf("watch: Options.Freshness %v is below a minute: Podero refreshes device state every 5 to 15 minutes", o.Freshness)
	}
	if o.MinRefresh == nil {
		o.MinRefresh = DefaultMinRefresh
	}
	if o.UsersEvery == 0 {
		o.UsersEvery = o.Freshness / 2
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.Rate < 0 {
		return o, fmt.Errorf("watch: Options.Rate %v is negative", o.Rate)
	}
	o.Burst = max(o.Burst, 1)
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.HandlerConcurrency <= 0 {
		o.HandlerConcurrency = 4
	}
	if o.HandlerTimeout <= 0 {
		o.HandlerTimeout = time.Minute
	}
	if o.BoostPoll <= 0 {
		o.BoostPoll = DefaultBoostPoll
	}
	if o.BoostTimeout <= 0 {
		o.BoostTimeout = 24 * time.Hour
	}
	if o.Replica == "" {
		o.Replica = "replica-" + rand.Text()[:10]
	}
	if o.LeasePeriod <= 0 {
		o.LeasePeriod = 30 * time.Second
	}
	if o.Clock == nil {
		o.Clock = api.SystemClock
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// freshness is the target of a device.
func (o *Options) freshness(kind api.DeviceKind, id api.UUID) time.Duration {
	if o.FreshnessOf != nil {
		if f := o.FreshnessOf(kind, id); f > 0 {
			return f
		}
	}
	return o.Freshness
}
