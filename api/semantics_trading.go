package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	// The day-ahead deadlines are Europe/Berlin times. Embedding the time
	// zone database (about 450 KB) makes time.LoadLocation find it where
	// the system has none: scratch and distroless containers, Windows
	// without a Go installation. Go uses it only when the system's fails.
	_ "time/tzdata"
)

// Day-ahead trading (guides §11): the partner uploads price forecasts for
// a delivery day, Podero optimizes its devices against them, and the
// partner fetches the load curves and confirms the trade.
//
// The guides and the spec disagree on the price upload. The guides
// (deep-dives/day-ahead-trading) describe POST .../organizations/trading/
// dayahead/prices with {date, prices: [{timestamp, price_eur_mwh}]}; the
// spec, from the API reference, has PATCH /org/{org_id}/trading/dayahead/
// prices with TradingDayAheadPricesInput: {metadata: {price_zone,
// timezone_override}, data: [{timestamp, price}]}. The SDK follows the
// spec, as its client is generated from it and the API reference pages
// are the newer source (the guides' paths look outdated: they have no
// org_id, which every other operation has). The guides' rules for the data
// itself (96 aligned UTC slots per day, in EUR/MWh, future days only) are
// not contradicted, so [DayAheadPrices] checks them before anything is
// sent.

// SlotsPerDay is how many 15-minute price slots a day has, as the guides
// require them: UTC days, which have no daylight-saving shifts.
const SlotsPerDay = 96

// SlotLength is the length of a price slot.
const SlotLength = 15 * time.Minute

// DayAheadPrices builds the body of a day-ahead price upload
// ([PartnerClient.UpdateTradingDayAheadPrices]) and checks it against the
// guides' rules before it is sent. Add the slots in order, then Build:
//
//   - timestamps in UTC (offset zero, sent with a Z), each at :00, :15,
//     :30 or :45 with no seconds;
//   - in chronological order, 15 minutes apart, with no gaps or
//     duplicates;
//   - whole days: each day's 96 slots, 00:00Z to 23:45Z;
//   - future days only: the first day after the UTC day of Build's now;
//   - prices in EUR/MWh (negative allowed), finite.
//
// Each violation is a [*PriceSlotError] naming the slot. The zero value is
// not usable; use [NewDayAheadPrices].
type DayAheadPrices struct {
	zone  MarketPriceZone
	slots []TradingDayAheadPriceInput
}

// NewDayAheadPrices starts an upload of prices for the price zone, one of
// the ten market zones. A device's price zone (a [PriceZone]) converts
// with [PriceZone.MarketPriceZone], which says whether it is one.
func NewDayAheadPrices(zone MarketPriceZone) *DayAheadPrices {
	return &DayAheadPrices{zone: zone}
}

// Add adds the slot that starts at ts, with its price in EUR/MWh, and
// returns b. [EURPerKWhToEURPerMWh] converts a price per kWh.
func (b *DayAheadPrices) Add(ts time.Time, eurPerMWh float64) *DayAheadPrices {
	b.slots = append(b.slots, TradingDayAheadPriceInput{Timestamp: &ts, Price: &eurPerMWh})
	return b
}

// AddDay adds the slots of a UTC day, 00:00Z on, one per price (EUR/MWh),
// and returns b. A day needs 96 prices; Build reports fewer or more.
func (b *DayAheadPrices) AddDay(day Date, eurPerMWh []float64) *DayAheadPrices {
	start := NewDate(day.Time).Time
	for i, p := range eurPerMWh {
		b.Add(start.Add(time.Duration(i)*SlotLength), p)
	}
	return b
}

// Len returns how many slots b has.
func (b *DayAheadPrices) Len() int { return len(b.slots) }

// Build checks the slots against the rules (see [DayAheadPrices]), with
// now deciding which days are in the future, and returns the body to
// send. The first violation found is a [*PriceSlotError].
func (b *DayAheadPrices) Build(now time.Time) (TradingDayAheadPricesInput, error) {
	if !b.zone.Valid() {
		return TradingDayAheadPricesInput{}, fmt.Errorf("podero: day-ahead prices: %s is not a market price zone", quoted(string(b.zone)))
	}
	if len(b.slots) == 0 {
		return TradingDayAheadPricesInput{}, errors.New("podero: day-ahead prices: no slots")
	}
	for i, s := range b.slots {
		if err := checkSlot(i, s, b.slots, now); err != nil {
			return TradingDayAheadPricesInput{}, err
		}
	}
	if last := *b.slots[len(b.slots)-1].Timestamp; !isDayStart(last.Add(SlotLength)) {
		next := last.Add(SlotLength)
		return TradingDayAheadPricesInput{}, &PriceSlotError{Slot: len(b.slots), Timestamp: next,
			Reason: fmt.Sprintf("missing: the day %s ends at 23:45Z, and every day needs its %d slots", next.Format(time.DateOnly), SlotsPerDay)}
	}
	zone := b.zone
	data := make([]TradingDayAheadPriceInput, len(b.slots))
	for i, s := range b.slots {
		ts, p := s.Timestamp.UTC(), *s.Price // UTC: a zero offset in another Location would not encode as Z
		data[i] = TradingDayAheadPriceInput{Timestamp: &ts, Price: &p}
	}
	return TradingDayAheadPricesInput{Metadata: TradingDayAheadPricesMetadataInput{PriceZone: &zone}, Data: data}, nil
}

// checkSlot checks slot i against the rules, the slot before it included.
func checkSlot(i int, s TradingDayAheadPriceInput, slots []TradingDayAheadPriceInput, now time.Time) error {
	ts, price := *s.Timestamp, *s.Price
	fail := func(format string, args ...any) error {
		return &PriceSlotError{Slot: i, Timestamp: ts, Reason: fmt.Sprintf(format, args...)}
	}
	if _, offset := ts.Zone(); offset != 0 {
		return fail("not in UTC (offset %s): use t.UTC()", ts.Format("-07:00"))
	}
	if ts.Minute()%15 != 0 || ts.Second() != 0 || ts.Nanosecond() != 0 {
		return fail("not aligned to :00, :15, :30 or :45")
	}
	if math.IsNaN(price) || math.IsInf(price, 0) {
		return fail("the price %v EUR/MWh is not a number", price)
	}
	if i == 0 {
		today := NewDate(now.UTC()).Time
		switch {
		case !isDayStart(ts):
			return fail("the first slot must start its day at 00:00Z")
		case !ts.After(today):
			return fail("%s is not a future day (today is %s in UTC)", ts.Format(time.DateOnly), today.Format(time.DateOnly))
		}
		return nil
	}
	prev := *slots[i-1].Timestamp
	switch want := prev.Add(SlotLength); {
	case !ts.After(prev):
		return fail("not after slot %d (%s): the slots must be in order, without duplicates", i-1, prev.UTC().Format(time.RFC3339))
	case ts.After(want):
		for j := i + 1; j < len(slots); j++ {
			if later := *slots[j].Timestamp; later.Before(ts) {
				return fail("out of order: slot %d (%s) is earlier", j, later.UTC().Format(time.RFC3339))
			}
		}
		return fail("a gap: slot %d is %s, so this one should be %s", i-1, prev.UTC().Format(time.RFC3339), want.UTC().Format(time.RFC3339))
	}
	return nil
}

// isDayStart reports whether t is 00:00Z.
func isDayStart(t time.Time) bool { return t.Equal(NewDate(t.UTC()).Time) }

// PriceSlotError is a slot of a [DayAheadPrices] that breaks a rule.
type PriceSlotError struct {
	// Slot is the slot's index, 0 for the first; for a missing slot at the
	// end, the index it would have.
	Slot int
	// Timestamp is the slot's start, as added (or, when missing, as it
	// should be).
	Timestamp time.Time
	// Reason says which rule it breaks.
	Reason string
}

func (e *PriceSlotError) Error() string {
	return fmt.Sprintf("podero: day-ahead prices: slot %d (%s): %s", e.Slot, e.Timestamp.Format(time.RFC3339), e.Reason)
}

// UploadDayAheadPrices checks prices (see [DayAheadPrices]) against the
// client's clock and uploads them: PATCH
// /org/{org_id}/trading/dayahead/prices, the spec's body shape. Nothing is sent when a rule is broken.
//
// The answer's in-band failure (an error, or the state "late" or "empty";
// see [TradingDayAheadPricesUpdateOutput.Err]) is returned as an
// [*InBandError], together with the answer. On success, the answer's
// next_load_curve_calculation is when [PartnerClient.WaitForLoadCurve] can
// expect the load curve.
//
//	PATCH /api/partners/v2.0/org/{org_id}/trading/dayahead/prices
func (c *PartnerClient) UploadDayAheadPrices(ctx context.Context, prices *DayAheadPrices, opts ...CallOption) (*TradingDayAheadPricesUpdateOutput, error) {
	body, err := prices.Build(c.t.now())
	if err != nil {
		return nil, refuse(opts, err)
	}
	out, err := c.UpdateTradingDayAheadPrices(ctx, body, opts...)
	if err != nil {
		return nil, err
	}
	return out, out.Err()
}

// Poll intervals of WaitForLoadCurve, once the calculation time has
// passed.
const loadCurvePollInterval, loadCurveMaxPollInterval = 15 * time.Second, 2 * time.Minute

// WaitForLoadCurve waits until the day-ahead load curve of a price zone
// for the delivery day is ready, and returns it. Ready means that readyAt
// (the upload's next_load_curve_calculation, ~10:30 Berlin time on the
// trading day) has passed and the curve the API answers is the delivery
// day's, with optimized points. Before readyAt it does not poll at all:
// its first poll is at readyAt, then every 15 s, backing off to 2 minutes.
// A zero readyAt polls at once; a zero day takes the first curve with
// points.
//
// A deadline (the context's, or [WithMaxWait]) before readyAt ends the
// wait at once with a [*WaitTimeoutError], whose LastState is otherwise
// the *LoadCurveOutput last read. Fetch the curve well before the market
// closes (12:00 CET, see [NewDayAheadTimeline]).
//
//	GET /api/partners/v2.0/org/{org_id}/trading/dayahead/loadcurve/pricezone/{price_zone_key}, repeatedly
func (c *PartnerClient) WaitForLoadCurve(ctx context.Context, zone MarketPriceZone, day Date, readyAt time.Time, opts ...WaitOption) (*LoadCurveOutput, error) {
	w := &waiter[*LoadCurveOutput]{
		name: "WaitForLoadCurve", interval: loadCurvePollInterval, maxInterval: loadCurveMaxPollInterval, notBefore: readyAt,
		poll: func(ctx context.Context, call []CallOption) (*LoadCurveOutput, bool, error) {
			lc, err := c.GetTradingDayAheadLoadCurve(ctx, string(zone), GetTradingDayAheadLoadCurveParams{}, call...)
			if err != nil {
				return nil, false, err
			}
			ready := len(lc.GetCurves().GetOptimized()) > 0 && (day.IsZero() || sameDay(lc.GetDate(), day))
			return lc, ready, nil
		},
		describe: func(lc *LoadCurveOutput) string {
			date := "no date"
			if d := lc.GetDate(); !d.IsZero() {
				date = "date " + d.String()
			}
			return fmt.Sprintf("a curve with %s, %d optimized points", date, len(lc.GetCurves().GetOptimized()))
		},
	}
	return w.run(ctx, c, opts)
}

func sameDay(a, b Date) bool { return NewDate(a.Time).Equal(NewDate(b.Time).Time) }

// EnergyMWh returns the point's energy_wh in MWh.
func (p *LoadCurvePoint) EnergyMWh() float64 { return WhToMWh(float64(p.GetEnergyWh())) }

// Unit conversions of day-ahead trading: load curves are in Wh per 15
// minutes, prices in EUR/MWh (guides §11).

// WhToMWh converts Wh to MWh (÷ 1e6).
func WhToMWh(wh float64) float64 { return wh / 1e6 }

// MWhToWh converts MWh to Wh (× 1e6).
func MWhToWh(mwh float64) float64 { return mwh * 1e6 }

// EURPerMWhToEURPerKWh converts a price in EUR/MWh to EUR/kWh (÷ 1000).
func EURPerMWhToEURPerKWh(p float64) float64 { return p / 1000 }

// EURPerKWhToEURPerMWh converts a price in EUR/kWh to EUR/MWh (× 1000).
func EURPerKWhToEURPerMWh(p float64) float64 { return p * 1000 }

// DayAheadTimeline is the day-ahead trading schedule for one delivery day,
// as the guides give it: prices and curves on the trading day (the day
// before delivery), the market's close, and the confirmation deadlines.
// The times are Europe/Berlin wall-clock times ("CET" in the guides, CEST
// in summer), as instants; the guides give the first two as approximate
// (~09:00, ~10:30), and the upload's next_load_curve_calculation is the
// exact time of the curves.
type DayAheadTimeline struct {
	// DeliveryDay is Day 2: the devices follow the optimized curve.
	DeliveryDay Date
	// TradingDay is Day 1, the day before: everything below happens on it.
	TradingDay Date
	// PricesDue is ~09:00: upload the price forecasts.
	PricesDue time.Time
	// LoadCurvesReady is ~10:30: fetch the load curves.
	LoadCurvesReady time.Time
	// MarketClose is 12:00 CET: the day-ahead market closes; the steps
	// above must be done by then.
	MarketClose time.Time
	// ConfirmIntradayBy is 14:30 CET: confirm the trade (accept or
	// reject) by then if you trade intraday.
	ConfirmIntradayBy time.Time
	// ConfirmBy is 23:30 CET: confirm the trade by then otherwise.
	ConfirmBy time.Time
}

// NewDayAheadTimeline returns the schedule for the delivery day, in
// Europe/Berlin time (daylight saving included).
func NewDayAheadTimeline(deliveryDay Date) DayAheadTimeline {
	loc := berlin()
	trading := NewDate(deliveryDay.AddDate(0, 0, -1)).Time
	at := func(hour, minute int) time.Time {
		return time.Date(trading.Year(), trading.Month(), trading.Day(), hour, minute, 0, 0, loc)
	}
	return DayAheadTimeline{
		DeliveryDay:       NewDate(deliveryDay.Time),
		TradingDay:        NewDate(trading),
		PricesDue:         at(9, 0),
		LoadCurvesReady:   at(10, 30),
		MarketClose:       at(12, 0),
		ConfirmIntradayBy: at(14, 30),
		ConfirmBy:         at(23, 30),
	}
}

// berlin is the Europe/Berlin time zone. time/tzdata is embedded, so it
// always loads.
var berlin = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic("podero: Europe/Berlin does not load, though time/tzdata is embedded: " + err.Error())
	}
	return loc
})
