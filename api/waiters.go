package api

import (
	"context"
	"time"
)

// The named waiters: each polls one operation until what a partner waits
// for has happened. See wait.go for the engine and its options.

// Default poll intervals. Podero's dashboard guide suggests polling about
// every 3 s while a boost is "requested" (guides §8).
const (
	boostPollInterval = 3 * time.Second
)

// WaitForBoost polls an electric vehicle after a boost
// ([PartnerClient.TriggerElectricVehicleBoost]) until its boost_state is
// no longer "requested", about every 3 s as Podero's dashboard guide
// advises, and returns the vehicle as last read. Its GetBoostState() is
// the outcome:
//
//   - "ongoing": the vehicle charges because of the boost;
//   - "unavailable": it did not start (full, already charging without the
//     boost, or not connected). This is an answer, not an error: the boost
//     operation reports the same state in-band, and a dashboard shows it
//     as such ("Charge now" is not offered);
//   - "available" (or none): the boost was disarmed meanwhile.
//
// A boost armed on an unplugged vehicle stays "requested" until it is
// plugged in, so bound the wait with the context or [WithMaxWait]. When the
// wait gives up, the [*WaitTimeoutError]'s LastState is the
// *ElectricVehicleOutput last read.
//
//	GET /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}, repeatedly
func (c *PartnerClient) WaitForBoost(ctx context.Context, userID, evID UUID, opts ...WaitOption) (*ElectricVehicleOutput, error) {
	w := &waiter[*ElectricVehicleOutput]{
		name: "WaitForBoost", interval: boostPollInterval, maxInterval: boostPollInterval,
		poll: func(ctx context.Context, call []CallOption) (*ElectricVehicleOutput, bool, error) {
			ev, err := c.GetElectricVehicle(ctx, userID, evID, call...)
			if err != nil {
				return nil, false, err
			}
			return ev, ev.GetBoostState() != BoostStateRequested, nil
		},
		describe: func(ev *ElectricVehicleOutput) string { return "boost_state " + quoted(string(ev.GetBoostState())) },
	}
	return w.run(ctx, opts)
}

// quoted quotes s for a message, and says so when it is empty.
func quoted(s string) string {
	if s == "" {
		return "absent"
	}
	return `"` + s + `"`
}
