package api

import (
	"math"
	"testing"
	"time"

	"github.com/go-faster/jx"
)

// TestEncodeErrorsNameTheField: a value encoding/json would refuse is
// refused with its place in the body.
func TestEncodeErrorsNameTheField(t *testing.T) {
	for _, c := range []struct {
		name string
		enc  func(w *jx.Writer) error
		want string
	}{
		{"NaN", func(w *jx.Writer) error {
			return encodeUserCreateInput(w, &UserCreateInput{Email: "a@example.com", Latitude: Value(math.NaN())})
		}, "at /latitude: NaN is not a JSON number (JSON has no NaN or infinities)"},
		{"infinity in a list", func(w *jx.Writer) error {
			prices := []TradingDayAheadPriceInput{{}, {Price: ptr(math.Inf(-1))}}
			return encodeTradingDayAheadPricesInput(w, &TradingDayAheadPricesInput{Data: prices})
		}, "at /data/1/price: -Inf is not a JSON number (JSON has no NaN or infinities)"},
		{"year 10000", func(w *jx.Writer) error {
			return encodeElectricVehicleUpdateInput(w, &ElectricVehicleUpdateInput{PausePowerUntil: Value(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))})
		}, "at /pause_power_until: the time is not RFC 3339: year outside of range [0,9999]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var w jx.Writer
			err := c.enc(&w)
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
