package api

import (
	"encoding/json"
	"testing"

	"github.com/podero-go/podero/internal/benchdata"
)

// BenchmarkEncode is the create-user body's encoding alone, with no
// network: encoding/json of the baseline's hand-written struct
// (impl=baseline), encoding/json of the generated model, through
// Nullable's MarshalJSON (impl=generated; what CreateUser did before the
// generated encoders), and what CreateUser does (impl=partner: the
// generated encoder into a pooled writer, and a copy of the body). internal/bench's BenchmarkEncodeCreateUser has ogen's
// encoder beside the same baseline.
func BenchmarkEncode(b *testing.B) {
	raw := benchdata.CreateUserRequest()
	var base benchdata.BaselineUserInput
	var in UserCreateInput
	if err := json.Unmarshal(raw, &base); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		b.Fatal(err)
	}
	var sink []byte
	for _, impl := range []struct {
		name string
		f    func() ([]byte, error)
	}{
		{"baseline", func() ([]byte, error) { return json.Marshal(&base) }},
		{"generated", func() ([]byte, error) { return json.Marshal(in) }},
		{"partner", func() ([]byte, error) {
			w := bodyWriter()
			return bodyBytes(w, encodeUserCreateInput(w, &in))
		}},
	} {
		b.Run("body=CreateUser/impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				var err error
				if sink, err = impl.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	_ = sink
}
