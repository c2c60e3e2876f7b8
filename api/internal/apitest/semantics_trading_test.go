package apitest_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// day returns the UTC day n days after now's.
func day(now time.Time, n int) api.Date {
	return api.NewDate(now.UTC().AddDate(0, 0, n))
}

// flat returns n prices of p EUR/MWh.
func flat(n int, p float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = p + float64(i)
	}
	return out
}

func TestDayAheadPricesBuild(t *testing.T) {
	now := time.Date(2026, 1, 14, 8, 30, 0, 0, time.UTC)
	tomorrow := day(now, 1)
	midnight := tomorrow.Time // 2026-01-15T00:00:00Z

	in, err := api.NewDayAheadPrices(api.MarketPriceZoneAT).AddDay(tomorrow, flat(96, 80)).AddDay(day(now, 2), flat(96, -5)).Build(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Data) != 192 || *in.Metadata.PriceZone != api.MarketPriceZoneAT || in.Metadata.TimezoneOverride.IsSpecified() {
		t.Fatalf("built %d slots, metadata %+v", len(in.Data), in.Metadata)
	}
	// The spec's body: metadata {price_zone}, data [{timestamp, price}], Z timestamps.
	b, _ := json.Marshal(in)
	if !strings.HasPrefix(string(b), `{"data":[{"price":80,"timestamp":"2026-01-15T00:00:00Z"},{"price":81,"timestamp":"2026-01-15T00:15:00Z"}`) ||
		!strings.HasSuffix(string(b), `{"price":90,"timestamp":"2026-01-16T23:45:00Z"}],"metadata":{"price_zone":"AT"}}`) {
		t.Errorf("the body is %s", b)
	}
	// A slot in a Location whose offset is zero is sent with a Z.
	london := time.FixedZone("GMT", 0)
	b2 := api.NewDayAheadPrices(api.MarketPriceZoneUK)
	for i := range 96 {
		b2.Add(midnight.Add(time.Duration(i)*api.SlotLength).In(london), 1)
	}
	if in, err := b2.Build(now); err != nil || in.Data[0].Timestamp.Location() != time.UTC {
		t.Errorf("offset-zero slots: %v", err)
	}

	slot := func(i int) time.Time { return midnight.Add(time.Duration(i) * api.SlotLength) }
	// build adds 96 slots of tomorrow, changed by edit.
	build := func(edit func(ts []time.Time, p []float64) ([]time.Time, []float64)) error {
		ts, p := make([]time.Time, 96), flat(96, 50)
		for i := range ts {
			ts[i] = slot(i)
		}
		ts, p = edit(ts, p)
		b := api.NewDayAheadPrices(api.MarketPriceZoneDELU)
		for i := range ts {
			b.Add(ts[i], p[i])
		}
		_, err := b.Build(now)
		return err
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		name string
		edit func(ts []time.Time, p []float64) ([]time.Time, []float64)
		slot int
		want string
	}{
		{"not UTC", func(ts []time.Time, p []float64) ([]time.Time, []float64) { ts[5] = ts[5].In(berlin); return ts, p }, 5, "not in UTC (offset +01:00)"},
		{"at :07", func(ts []time.Time, p []float64) ([]time.Time, []float64) {
			ts[3] = ts[3].Add(7 * time.Minute)
			return ts, p
		}, 3, "not aligned"},
		{"with seconds", func(ts []time.Time, p []float64) ([]time.Time, []float64) {
			ts[40] = ts[40].Add(time.Second)
			return ts, p
		}, 40, "not aligned"},
		{"out of order", func(ts []time.Time, p []float64) ([]time.Time, []float64) {
			ts[10], ts[11] = ts[11], ts[10]
			return ts, p
		}, 10, "out of order: slot 11 (2026-01-15T02:30:00Z) is earlier"},
		{"a slot too early", func(ts []time.Time, p []float64) ([]time.Time, []float64) { ts[12] = ts[2]; return ts, p }, 12, "not after slot 11"},
		{"a duplicate", func(ts []time.Time, p []float64) ([]time.Time, []float64) { ts[20] = ts[19]; return ts, p }, 20, "without duplicates"},
		{"a gap", func(ts []time.Time, p []float64) ([]time.Time, []float64) {
			return append(ts[:30:30], ts[31:]...), append(p[:30:30], p[31:]...)
		}, 30, "a gap: slot 29 is 2026-01-15T07:15:00Z, so this one should be 2026-01-15T07:30:00Z"},
		{"a short day", func(ts []time.Time, p []float64) ([]time.Time, []float64) { return ts[:95], p[:95] }, 95, "missing: the day 2026-01-15 ends at 23:45Z"},
		{"a day into the next", func(ts []time.Time, p []float64) ([]time.Time, []float64) {
			return append(ts, slot(96)), append(p, 1)
		}, 97, "missing"},
		{"not from midnight", func(ts []time.Time, p []float64) ([]time.Time, []float64) { return ts[1:], p[1:] }, 0, "start its day at 00:00Z"},
		{"today", func(ts []time.Time, p []float64) ([]time.Time, []float64) {
			for i := range ts {
				ts[i] = ts[i].AddDate(0, 0, -1)
			}
			return ts, p
		}, 0, "2026-01-14 is not a future day"},
		{"NaN", func(ts []time.Time, p []float64) ([]time.Time, []float64) { p[7] = math.NaN(); return ts, p }, 7, "not a number"},
		{"infinite", func(ts []time.Time, p []float64) ([]time.Time, []float64) { p[8] = math.Inf(-1); return ts, p }, 8, "not a number"},
	} {
		err := build(tc.edit)
		var se *api.PriceSlotError
		if !errors.As(err, &se) || se.Slot != tc.slot || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want slot %d: %q", tc.name, err, tc.slot, tc.want)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "slot ") || !strings.Contains(msg, se.Timestamp.Format(time.RFC3339)) {
			t.Errorf("%s: %q does not name the slot", tc.name, msg)
		}
	}

	if _, err := api.NewDayAheadPrices("DE").AddDay(tomorrow, flat(96, 1)).Build(now); err == nil || !strings.Contains(err.Error(), `"DE" is not a market price zone`) {
		t.Errorf("zone DE: %v", err)
	}
	if _, err := api.NewDayAheadPrices(api.MarketPriceZoneAT).Build(now); err == nil || !strings.Contains(err.Error(), "no slots") {
		t.Errorf("no slots: %v", err)
	}
}

func TestUnitConversions(t *testing.T) {
	for _, tc := range []struct{ got, want float64 }{
		{api.WhToMWh(2_500_000), 2.5}, {api.MWhToWh(0.25), 250_000},
		{api.EURPerMWhToEURPerKWh(85.4), 0.0854}, {api.EURPerKWhToEURPerMWh(0.0854), 85.4},
		{(&api.LoadCurvePoint{EnergyWh: ptr(1500)}).EnergyMWh(), 0.0015},
	} {
		if math.Abs(tc.got-tc.want) > 1e-12 {
			t.Errorf("got %v, want %v", tc.got, tc.want)
		}
	}
}

// The guide's timeline, in Berlin time: winter (CET), summer (CEST) and the
// day the clocks go forward.
func TestDayAheadTimeline(t *testing.T) {
	for _, tc := range []struct {
		delivery string
		trading  string
		utc      [5]string // prices, curves, close, intraday, confirm
	}{
		{"2026-01-16", "2026-01-15", [5]string{"08:00", "09:30", "11:00", "13:30", "22:30"}},
		{"2026-07-16", "2026-07-15", [5]string{"07:00", "08:30", "10:00", "12:30", "21:30"}},
		{"2026-03-30", "2026-03-29", [5]string{"07:00", "08:30", "10:00", "12:30", "21:30"}}, // CEST from 02:00
		{"2026-03-01", "2026-02-28", [5]string{"08:00", "09:30", "11:00", "13:30", "22:30"}},
	} {
		d, _ := time.Parse(time.DateOnly, tc.delivery)
		tl := api.NewDayAheadTimeline(api.NewDate(d))
		got := [5]time.Time{tl.PricesDue, tl.LoadCurvesReady, tl.MarketClose, tl.ConfirmIntradayBy, tl.ConfirmBy}
		for i, g := range got {
			if want := tc.trading + "T" + tc.utc[i] + ":00Z"; g.UTC().Format(time.RFC3339) != want {
				t.Errorf("delivery %s, deadline %d: %s, want %s", tc.delivery, i, g.UTC().Format(time.RFC3339), want)
			}
		}
		if tl.DeliveryDay.String() != tc.delivery || tl.TradingDay.String() != tc.trading || tl.MarketClose.Location().String() != "Europe/Berlin" ||
			tl.MarketClose.Hour() != 12 {
			t.Errorf("delivery %s: %+v", tc.delivery, tl)
		}
	}
}

// UploadDayAheadPrices checks before sending, sends the spec's body, and
// returns an in-band failure as an *InBandError with the answer.
func TestUploadDayAheadPrices(t *testing.T) {
	e := newWaitEnv(t)
	ctx := context.Background()
	prices := api.NewDayAheadPrices(api.MarketPriceZoneAT).AddDay(day(time.Now(), 1), flat(96, 70))

	// The fake's sample answer has "error": "string": an in-band error.
	out, err := e.c.UploadDayAheadPrices(ctx, prices)
	var ib *api.InBandError
	if !errors.As(err, &ib) || out == nil || ib.Result != out || ib.Message != "string" {
		t.Errorf("the sample answer: %v, %v", out, err)
	}
	reqs := e.srv.Requests()
	last := reqs[len(reqs)-1]
	var sent struct {
		Metadata map[string]any `json:"metadata"`
		Data     []map[string]any
	}
	if err := json.Unmarshal(last.Body, &sent); err != nil || last.Method != http.MethodPatch || len(sent.Data) != 96 || sent.Metadata["price_zone"] != "AT" {
		t.Errorf("sent %s %s: %s", last.Method, last.Path, last.Body)
	}

	for _, tc := range []struct {
		state   string
		failure bool
	}{{"success", false}, {"existing", false}, {"late", true}, {"empty", true}} {
		e.srv.Tamper("UpdateTradingDayAheadPrices", func(b map[string]any) { b["state"], b["error"] = tc.state, nil })
		out, err := e.c.UploadDayAheadPrices(ctx, prices)
		if tc.failure != (err != nil) || out == nil || string(out.State) != tc.state {
			t.Errorf("state %s: %v, %v", tc.state, out, err)
		}
	}

	before := len(e.srv.Requests())
	bad := api.NewDayAheadPrices(api.MarketPriceZoneAT).AddDay(day(time.Now(), 1), flat(95, 70))
	if _, err := e.c.UploadDayAheadPrices(ctx, bad); err == nil || len(e.srv.Requests()) != before {
		t.Errorf("a short day: %v, %d requests", err, len(e.srv.Requests())-before)
	}

	// The client's clock says which days are in the future, not time.Now:
	// three days back, its tomorrow is a day past.
	e.clock.mu.Lock()
	e.clock.now = e.clock.now.AddDate(0, 0, -3)
	e.clock.mu.Unlock()
	e.srv.Tamper("UpdateTradingDayAheadPrices", func(b map[string]any) { b["state"], b["error"] = "success", nil })
	past := api.NewDayAheadPrices(api.MarketPriceZoneAT).AddDay(day(e.clock.Now(), 1), flat(96, 70))
	if _, err := e.c.UploadDayAheadPrices(ctx, past); err != nil {
		t.Errorf("prices for the client clock's tomorrow: %v", err)
	}
}

// curveEnv makes the fake's load curve the delivery day's once the clock
// passes ready (until then it is the day before's), and records when it
// was read.
func (e *waitEnv) curveEnv(delivery api.Date, ready time.Time) *[]time.Time {
	var mu sync.Mutex
	reads := &[]time.Time{}
	e.srv.Tamper("GetTradingDayAheadLoadCurve", func(b map[string]any) {
		now := e.clock.Now()
		mu.Lock()
		*reads = append(*reads, now)
		mu.Unlock()
		d := delivery.AddDate(0, 0, -1)
		if !now.Before(ready) {
			d = delivery.Time
		}
		b["date"] = d.Format(time.DateOnly)
	})
	return reads
}

func TestWaitForLoadCurve(t *testing.T) {
	faulty(t, "GetTradingDayAheadLoadCurve", func(t *testing.T, e *waitEnv) {
		delivery := day(e.clock.Now(), 1)
		calc := e.clock.Now().Add(90 * time.Minute)             // next_load_curve_calculation
		reads := e.curveEnv(delivery, calc.Add(40*time.Second)) // a little late
		lc, err := e.c.WaitForLoadCurve(context.Background(), api.MarketPriceZoneAT, delivery, calc, e.opts(nil)...)
		if err != nil {
			t.Fatal(err)
		}
		if lc.GetDate().String() != delivery.String() || len(lc.GetCurves().GetOptimized()) == 0 {
			t.Errorf("got the curve of %s", lc.GetDate())
		}
		for _, r := range *reads {
			if r.Before(calc) {
				t.Errorf("a poll at %v, before the calculation time %v", r, calc)
			}
		}
		if len(*reads) < 2 {
			t.Errorf("%d polls, want the early one and the ready one", len(*reads))
		}
	})
}

func TestWaitForLoadCurveGivesUp(t *testing.T) {
	e := newWaitEnv(t)
	delivery := day(e.clock.Now(), 1)
	calc := e.clock.Now().Add(90 * time.Minute)
	reads := e.curveEnv(delivery, calc.Add(24*time.Hour)) // never, today

	_, err := e.c.WaitForLoadCurve(context.Background(), api.MarketPriceZoneAT, delivery, calc, e.opts(nil, api.WithMaxWait(2*time.Hour))...)
	te := timeoutError(t, err, "WaitForLoadCurve", context.DeadlineExceeded)
	if lc, ok := te.LastState.(*api.LoadCurveOutput); !ok || lc.GetDate().String() == delivery.String() ||
		!strings.Contains(err.Error(), "a curve with date "+delivery.AddDate(0, 0, -1).Format(time.DateOnly)) {
		t.Errorf("LastState %v, error %q", te.LastState, err)
	}

	// A deadline before the calculation: no poll at all.
	n := len(*reads)
	_, err = e.c.WaitForLoadCurve(context.Background(), api.MarketPriceZoneAT, delivery, e.clock.Now().Add(time.Hour), e.opts(nil, api.WithMaxWait(30*time.Minute))...)
	if te := timeoutError(t, err, "WaitForLoadCurve", context.DeadlineExceeded); te.Polls != 0 || te.LastState != nil || len(*reads) != n {
		t.Errorf("%+v after %d reads", te, len(*reads)-n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = e.c.WaitForLoadCurve(ctx, api.MarketPriceZoneAT, delivery, time.Time{}, e.opts(nil, at(t, 1, func() error { cancel(); return nil }))...)
	timeoutError(t, err, "WaitForLoadCurve", context.Canceled)

	// A zero day takes any curve with points.
	if lc, err := e.c.WaitForLoadCurve(context.Background(), api.MarketPriceZoneAT, api.Date{}, time.Time{}, e.opts(nil)...); err != nil || lc == nil {
		t.Errorf("any curve: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
