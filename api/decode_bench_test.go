package api

import (
	"encoding/json"
	"testing"

	"github.com/podero-go/podero/internal/benchdata"
)

// BenchmarkDecode is the decode alone, with no network: encoding/json into
// the baseline's hand-written struct (impl=baseline), encoding/json into
// the generated models as the raw client decodes (impl=generated), and the
// generated jx decoders that PartnerClient uses (impl=partner).
func BenchmarkDecode(b *testing.B) {
	for _, tc := range []struct {
		name     string
		body     []byte
		baseline func([]byte) error
		models   func([]byte) error
		partner  func([]byte) error
	}{
		{"body=EV", benchdata.EV(),
			func(d []byte) error { var v benchdata.BaselineEV; return json.Unmarshal(d, &v) },
			func(d []byte) error { var v ElectricVehicleOutput; return json.Unmarshal(d, &v) },
			func(d []byte) error {
				var v ElectricVehicleOutput
				return decodeTop(d, &v, decodeElectricVehicleOutput)
			}},
		{"body=Sessions200", benchdata.SessionsPage(200),
			func(d []byte) error { var v benchdata.BaselineSessionPage; return json.Unmarshal(d, &v) },
			func(d []byte) error { var v SessionListOutput; return json.Unmarshal(d, &v) },
			func(d []byte) error { var v SessionListOutput; return decodeTop(d, &v, decodeSessionListOutput) }},
	} {
		for _, impl := range []struct {
			name string
			f    func([]byte) error
		}{{"baseline", tc.baseline}, {"generated", tc.models}, {"partner", tc.partner}} {
			b.Run(tc.name+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(tc.body)))
				for b.Loop() {
					if err := impl.f(tc.body); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
