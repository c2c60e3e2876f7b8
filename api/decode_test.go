package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-faster/jx"
	"github.com/google/uuid"
	"golang.org/x/oauth2"
)

// These tests hold the generated decoders (decode.gen.go) and their
// runtime (decode.go) to what encoding/json and Python agree a JSON
// document means, where the two disagree to Python's (the API is a Python
// server), and to bounded errors. The schema-driven differential test of
// every operation is api/internal/apitest's TestDecodeDifferential.

// TestFloatsDecodeExactly protects against jx's fast path, which divides a
// mantissa above 2^53 by a power of ten and is one ULP off inside an object
// or array (see parseFloat): every number decodes to what
// strconv.ParseFloat gives.
func TestFloatsDecodeExactly(t *testing.T) {
	for _, s := range []string{"1911568997308.3718", "4334507231935231.5", "0.1", "-0.0", "0.0", "1e16", "1.5e-07",
		"123456789012345678901234567890", "9007199254740993", "9007199254740992.5", "1e22", "1e23", "4.9e-324",
		"1.7976931348623157e308", "2.2250738585072014e-308", "0.000001", "-12.5", "5e-324", "1E+2", "100e-2"} {
		var v DevicesSavingsOutput
		body := `{"total_savings": ` + s + `, "heat_pump_savings": [` + s + `][0], "inverter_savings": 0, "electric_vehicle_savings": 0}`
		body = strings.Replace(body, `[`+s+`][0]`, s, 1)
		if err := decodeTop([]byte(body), &v, decodeDevicesSavingsOutput); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		want, _ := strconv.ParseFloat(s, 64)
		if math.Float64bits(v.TotalSavings) != math.Float64bits(want) {
			t.Errorf("%s decoded as %v, want %v", s, v.TotalSavings, want)
		}
	}
	// Python's repr of doubles of every magnitude, and the 16-17 digit
	// numbers with 1 to 6 decimals of the issue, in a page of sessions.
	rng := rand.New(rand.NewPCG(19, 23))
	var nums []string
	for range 20000 {
		var f float64
		switch rng.IntN(3) {
		case 0:
			f = math.Float64frombits(rng.Uint64() &^ (1 << 63))
			if math.IsNaN(f) || math.IsInf(f, 0) {
				continue
			}
		case 1:
			f = math.Round(rng.Float64()*1e16*math.Pow(10, float64(rng.IntN(7)))) / math.Pow(10, float64(1+rng.IntN(6)))
		default:
			f = rng.Float64() * math.Pow(10, float64(rng.IntN(40)-20))
		}
		nums = append(nums, pythonRepr(f))
	}
	var b strings.Builder
	b.WriteString(`{"total": 0, "items": [`)
	for i, n := range nums {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"energy_charged_kwh": %s}`, n)
	}
	b.WriteString("]}")
	var page SessionListOutput
	if err := decodeTop([]byte(b.String()), &page, decodeSessionListOutput); err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for i, n := range nums {
		want, _ := strconv.ParseFloat(n, 64)
		if got := *page.Items[i].EnergyChargedKwh; math.Float64bits(got) != math.Float64bits(want) {
			if wrong++; wrong < 5 {
				t.Errorf("%s decoded as %v, want %v", n, got, want)
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d numbers decoded wrong", wrong, len(nums))
	}
}

// pythonRepr writes f as Python's repr does: the shortest digits, with an
// exponent below 1e-4 and from 1e16, and ".0" for a whole number.
func pythonRepr(f float64) string {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64) // 1e+16; Python writes 1e+16 too
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// TestIntegerSpellings: JSON Schema counts 1.0 and 1e2 as integers, and a
// Python server may write them; they decode exactly. A number with a
// fraction is an error that names the field.
func TestIntegerSpellings(t *testing.T) {
	for s, want := range map[string]int64{
		"7": 7, "1.0": 1, "1e2": 100, "1E+2": 100, "-0.0": 0, "0e5": 0, "100e-2": 1, "0.5e1": 5, "-12.000": -12,
		"9223372036854775807": math.MaxInt64, "-9223372036854775808": math.MinInt64, "9.223372036854775807e18": math.MaxInt64,
		"12345678901234567890e-1": 1234567890123456789, "1" + strings.Repeat("0", 18): 1e18,
		"0." + strings.Repeat("0", 5000) + "e5000": 0,
	} {
		var got int64
		if err := decodeTop([]byte(s), &got, decodeInt64); err != nil || got != want {
			t.Errorf("%s decoded as %d, %v; want %d", s, got, err, want)
		}
	}
	for s, want := range map[string]string{
		"1.5":                  `"1.5" is not an integer`,
		"1e-1":                 "is not an integer",
		"9223372036854775808":  "out of range",
		"-9223372036854775809": "out of range",
		"1e19":                 "out of range",
		"1e1000000000000":      "out of range",
		`"7"`:                  "want a number, got a string",
	} {
		var got int64
		if err := decodeTop([]byte(s), &got, decodeInt64); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", s, err, want)
		}
	}
	var i32 int32
	if err := decodeTop([]byte("2147483648.0"), &i32, decodeInt32); err == nil {
		t.Errorf("2^31 decoded as an int32: %d", i32)
	}
	var page SessionListOutput
	err := decodeTop([]byte(`{"items": [], "total": 2.5}`), &page, decodeSessionListOutput)
	if err == nil || err.Error() != `at /total: "2.5" is not an integer` {
		t.Errorf("a fraction in an integer field: %v", err)
	}
	if err := decodeTop([]byte(`{"items": [], "total": 1e2}`), &page, decodeSessionListOutput); err != nil || page.Total != 100 {
		t.Errorf("1e2 for total: %d, %v", page.Total, err)
	}
}

// TestNaiveDateTimeIsUTC: pydantic writes a datetime without a zone with
// no offset; the guides say every time is UTC.
func TestNaiveDateTimeIsUTC(t *testing.T) {
	for s, want := range map[string]time.Time{
		"2026-03-01T12:00:00":           time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		"2026-03-01T12:00:00.5":         time.Date(2026, 3, 1, 12, 0, 0, 5e8, time.UTC),
		"2026-03-01T12:00:00.123456":    time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC),
		"2026-03-01T12:00:00Z":          time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		"2026-03-01T12:00:00+00:00":     time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		"2026-03-01T13:00:00.25+01:00":  time.Date(2026, 3, 1, 12, 0, 0, 25e7, time.UTC),
		"2026\\u002d03-01T12:00:00.000": time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	} {
		var item SessionItem
		if err := decodeTop([]byte(`{"plug_in_time": "`+s+`"}`), &item, decodeSessionItem); err != nil || item.PlugInTime == nil || !item.PlugInTime.Equal(want) {
			t.Errorf("%s decoded as %v, %v; want %v", s, item.PlugInTime, err, want)
		}
	}
	for _, s := range []string{"2026-03-01T12:00", "2026-03-01 12:00:00", "2026-02-30T12:00:00", "2026-03-01T12:00:00.", "yesterday"} {
		var item SessionItem
		err := decodeTop([]byte(`{"plug_in_time": "`+s+`"}`), &item, decodeSessionItem)
		if err == nil || !strings.Contains(err.Error(), "at /plug_in_time: ") || !strings.Contains(err.Error(), "not an RFC 3339 date-time") {
			t.Errorf("%s: error %v", s, err)
		}
	}
}

// TestDecodeErrorsAreBounded: a hostile body cannot make an error message
// of a megabyte (issue 23): a value is quoted by a short prefix, a long
// key is cut, and jx's chain of "array: " per level is not printed.
func TestDecodeErrorsAreBounded(t *testing.T) {
	huge := strings.Repeat("9", 1<<20)
	for name, body := range map[string]string{
		"a million digits in a float field":  `{"total_savings": ` + huge + `}`,
		"a million digits in an int field":   `{"total_savings": 1, "x": 1, "heat_pump_savings": 1, "electric_vehicle_savings": 1, "inverter_savings": 1}`,
		"a UUID of a megabyte":               `{"id": "` + huge + `"}`,
		"a date-time of a megabyte":          `{"plug_in_time": "` + huge + `"}`,
		"100k open arrays in an unknown key": `{"x": ` + strings.Repeat("[", 100000) + `}`,
		"100k arrays nested in an unknown":   `{"x": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`,
		"a key of a megabyte":                `{"` + huge + `": [1,}`,
		"malformed after a long key":         `{"items": [{"` + huge + `": tru}], "total": 1}`,
	} {
		var err error
		switch {
		case strings.Contains(name, "float"):
			var v DevicesSavingsOutput
			err = decodeTop([]byte(body), &v, decodeDevicesSavingsOutput)
		case strings.Contains(name, "int field"):
			var v SessionListOutput
			err = decodeTop([]byte(`{"items": [], "total": `+huge+`}`), &v, decodeSessionListOutput)
		default:
			var v SessionListOutput
			if strings.HasPrefix(body, `{"id"`) || strings.HasPrefix(body, `{"plug`) {
				var item SessionItem
				err = decodeTop([]byte(body), &item, decodeSessionItem)
				break
			}
			err = decodeTop([]byte(body), &v, decodeSessionListOutput)
		}
		if err == nil {
			t.Errorf("%s: decoded", name)
			continue
		}
		if msg := err.Error(); len(msg) > 400 || !utf8.ValidString(msg) {
			t.Errorf("%s: an error of %d bytes: %.300s", name, len(msg), msg)
		}
	}
}

// TestDeepNestingInUnknownField: nesting that encoding/json accepts (10,000
// levels in all) decodes in a property the spec does not declare, and is
// kept; deeper is refused in one short line, as encoding/json refuses it.
func TestDeepNestingInUnknownField(t *testing.T) {
	deep := func(n int) string {
		return `{"items": [], "total": 1, "deep": ` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	}
	var v SessionListOutput
	body := deep(9999) // with the page's object, 10,000 levels
	if err := decodeTop([]byte(body), &v, decodeSessionListOutput); err != nil {
		t.Fatalf("9,999 levels: %.300v", err)
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("encoding/json refuses 9,999 levels: %.300v", err)
	}
	if got := v.ExtraFields()["deep"]; len(got) != 2*9999 {
		t.Errorf("the deep property kept %d bytes", len(got))
	}
	body = deep(10000)
	err := decodeTop([]byte(body), &v, decodeSessionListOutput)
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), "nested more than 10000 levels") {
		t.Errorf("10,001 levels: %.300v", err)
	}
	if json.Unmarshal([]byte(body), &v) == nil {
		t.Error("encoding/json takes 10,001 levels")
	}
}

// TestInvalidUTF8BecomesReplacementChar: a string of a 2xx that is not
// UTF-8 reads as encoding/json reads it, each bad byte U+FFFD (issue 23).
func TestInvalidUTF8BecomesReplacementChar(t *testing.T) {
	for _, s := range []string{"a\xffb", "\xc3", "\xed\xa0\x80", "ok \xe2\x82", "\xf0\x28\x8c\xbc", "é\x80\x80é", "0123456789\xff0123456789", "01234567\xe2\x82\xac", "ünïcödé ünïcödé"} {
		body := []byte(`{"session_outcome": "` + s + `", "x` + s + `": 1}`)
		var got, want SessionItem
		if err := decodeTop(body, &got, decodeSessionItem); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatal(err)
		}
		if *got.SessionOutcome != *want.SessionOutcome || !utf8.ValidString(*got.SessionOutcome) {
			t.Errorf("%q decoded as %q, encoding/json %q", s, *got.SessionOutcome, *want.SessionOutcome)
		}
		for k := range got.ExtraFields() {
			if !utf8.ValidString(k) {
				t.Errorf("the key %q is kept as it is", k)
			}
		}
	}
	var kind DeviceKind
	if err := decodeTop([]byte("\"heat\xffpump\""), &kind, decodeDeviceKind); err != nil || kind != "heat\uFFFDpump" {
		t.Errorf("an enum value: %q, %v", kind, err)
	}
}

// TestDuplicateKeysLastWins: a key given twice is its last value, whole,
// as JSON.parse and Python read it, wherever it is: a nested object, a
// scalar then null, a free-form object, a union's member.
func TestDuplicateKeysLastWins(t *testing.T) {
	var p ChargePolicyOutput
	body := `{"data": {"mon": {"charge_percentage": 80}, "timezone": "UTC"}, "metadata": {"error": "x"},
		"data": {"tue": {"charge_deadline": "07:00"}}, "metadata": {"user_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}}`
	if err := decodeTop([]byte(body), &p, decodeChargePolicyOutput); err != nil {
		t.Fatal(err)
	}
	if p.Data.Mon != nil || p.Data.Timezone != nil || p.Data.Tue == nil || p.Metadata.Error != nil || p.Metadata.UserID == nil {
		t.Errorf("the objects were merged: %+v", p)
	}
	body = `{"data": {"mon": {"charge_percentage": 80, "charge_percentage": null}}, "metadata": {}}`
	if err := decodeTop([]byte(body), &p, decodeChargePolicyOutput); err != nil || !p.Data.Mon.ChargePercentage.IsNull() {
		t.Errorf("a value then null: %+v, %v", p.Data.Mon, err)
	}
	var page SessionListOutput
	if err := decodeTop([]byte(`{"items": [], "total": 3, "total": null}`), &page, decodeSessionListOutput); err == nil {
		t.Errorf("a required value then null decoded as %d", page.Total)
	}
	var s DeviceOnboardingSessionOutput
	body = `{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "external_metadata": {"a": 1, "n": {"x": 1}},
		"external_metadata": {"b": 2, "n": {"y": 2}, "n": {"z": 3}}, "u": 1, "u": [2]}`
	if err := decodeTop([]byte(body), &s, decodeDeviceOnboardingSessionOutput); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"b": 2.0, "n": map[string]any{"z": 3.0}}; !reflect.DeepEqual(*s.ExternalMetadata, want) {
		t.Errorf("the free-form object is %v, want %v", *s.ExternalMetadata, want)
	}
	if got := string(s.ExtraFields()["u"]); got != "[2]" {
		t.Errorf("the unknown key is %s", got)
	}
	var ev ElectricVehicleOutput
	body = `{"actions": [{"code": "reauthenticate", "resolution_link": {"url": "https://a", "extra": 1}, "resolution_link": {"url": "https://b"}}]}`
	if err := decodeTop([]byte(body), &ev, decodeElectricVehicleOutput); err != nil {
		t.Fatal(err)
	}
	action, err := (*ev.Actions)[0].AsReauthenticateAction()
	if err != nil || action.ResolutionLink == nil || action.ResolutionLink.ExtraFields() != nil {
		t.Errorf("the union's member: %+v, %v", action, err)
	}
}

// TestExtraFieldsKept: an object keeps the properties the spec does not
// declare, at any depth, as raw JSON; without them there is no map.
func TestExtraFieldsKept(t *testing.T) {
	body := `{"items": [{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "co2_kg": 1.25, "tags": ["a"]},
		{"is_at_home": true}], "total": 2, "next": {"offset": 2}, "Total": 7}`
	var page SessionListOutput
	if err := decodeTop([]byte(body), &page, decodeSessionListOutput); err != nil {
		t.Fatal(err)
	}
	want := map[string]json.RawMessage{"next": json.RawMessage(`{"offset": 2}`), "Total": json.RawMessage("7")}
	if !reflect.DeepEqual(page.ExtraFields(), want) || page.Total != 2 {
		t.Errorf("the page's extra fields: %s, total %d", page.ExtraFields(), page.Total)
	}
	if got := page.Items[0].ExtraFields(); string(got["co2_kg"]) != "1.25" || string(got["tags"]) != `["a"]` || len(got) != 2 {
		t.Errorf("the first item's extra fields: %s", got)
	}
	if page.Items[1].ExtraFields() != nil || (*SessionItem)(nil).ExtraFields() != nil {
		t.Error("an object without undeclared properties has extra fields")
	}
	// Decoding without them allocates no more than the fields need: the
	// same with an object whose properties are all declared.
	plain := []byte(`{"items": [{"is_at_home": true}], "total": 1}`)
	allocs := testing.AllocsPerRun(50, func() {
		var p SessionListOutput
		_ = decodeTop(plain, &p, decodeSessionListOutput)
	})
	extra := []byte(`{"items": [{"is_at_home": true, "x": 1}], "total": 1}`)
	more := testing.AllocsPerRun(50, func() {
		var p SessionListOutput
		_ = decodeTop(extra, &p, decodeSessionListOutput)
	})
	if more <= allocs {
		t.Errorf("an undeclared property costs %v allocations against %v without: is it kept?", more, allocs)
	}
}

// FuzzDecodeNumbers: a number decodes as strconv reads it, as a float, and
// as an integer exactly when its value is whole.
func FuzzDecodeNumbers(f *testing.F) {
	for _, s := range []string{"1911568997308.3718", "4334507231935231.5", "1.0", "1e2", "-0", "0.1e1", "123456789012345678", "1e-7", "5e-324", "1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := jx.DecodeStr("[" + s + "]")
		var raw []byte
		if err := d.Arr(func(d *jx.Decoder) error {
			var err error
			raw, err = numberBytes(d)
			raw = append([]byte(nil), raw...)
			return err
		}); err != nil || len(raw) == 0 {
			return // not a JSON number
		}
		want, werr := strconv.ParseFloat(string(raw), 64)
		got, err := parseFloat(raw, 64)
		if (err == nil) != (werr == nil) || (err == nil && math.Float64bits(got) != math.Float64bits(want)) {
			t.Fatalf("%s: %v, %v; strconv %v, %v", raw, got, err, want, werr)
		}
		n, err := parseInteger(raw, 64)
		if err == nil && werr == nil && math.Abs(want) < 1<<53 && float64(n) != want {
			t.Fatalf("%s: integer %d, float %v", raw, n, want)
		}
		if err == nil && werr == nil && want != math.Trunc(want) {
			t.Fatalf("%s: %v decoded as the integer %d", raw, want, n)
		}
	})
}

// FuzzParseUUID: where the fast path takes a UUID, it is the one
// uuid.ParseBytes gives.
func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{"3fa85f64-5717-4562-b3fc-2c963f66afa6", "3FA85F64-5717-4562-B3FC-2C963F66AFA6", "3fa85f64-5717-4562-b3fc-2c963f66afaG",
		"3fa85f6405717-4562-b3fc-2c963f66afa6", "{3fa85f64-5717-4562-b3fc-2c963f66afa6}", "3fa85f6457174562b3fc2c963f66afa6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got UUID
		ok := parseUUID([]byte(s), &got)
		want, err := uuid.ParseBytes([]byte(s))
		if ok && (err != nil || got != want) {
			t.Fatalf("%q: fast %v, uuid %v (%v)", s, got, want, err)
		}
		if !ok && err == nil && len(s) == 36 {
			t.Fatalf("%q: the fast path refuses the canonical form %v", s, want)
		}
	})
}

// TestWithRawBody: the option gives a 2xx body as sent, decodable or not,
// reuses the caller's buffer, and leaves it empty on any other return.
func TestWithRawBody(t *testing.T) {
	bodies := []string{`{"items": [], "total": 1, "x": 2}`, `{"items": "not a list"}`, `{"detail": "gone"}`}
	statuses := []int{200, 200, 404}
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(statuses[n%3])
		fmt.Fprint(w, bodies[n%3])
		n++
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, OrgID: uuid.New(), Retry: &RetryPolicy{},
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	body := buf
	ctx := context.Background()
	if _, err := c.ListElectricVehicleSessions(ctx, uuid.New(), uuid.New(), ListElectricVehicleSessionsParams{}, WithRawBody(&body)); err != nil {
		t.Fatal(err)
	}
	if string(body) != bodies[0] || &body[:1][0] != &buf[:1][0] {
		t.Errorf("a 200: %q (in the caller's buffer: %v)", body, &body[:1][0] == &buf[:1][0])
	}
	if _, err := c.ListElectricVehicleSessions(ctx, uuid.New(), uuid.New(), ListElectricVehicleSessionsParams{}, WithRawBody(&body)); err == nil || string(body) != bodies[1] {
		t.Errorf("a 200 that does not decode: %q, %v", body, err)
	}
	if _, err := c.ListElectricVehicleSessions(ctx, uuid.New(), uuid.New(), ListElectricVehicleSessionsParams{}, WithRawBody(&body)); err == nil || len(body) != 0 {
		t.Errorf("a 404: %q, %v", body, err)
	}
	body = append(body, "stale"...)
	if _, err := c.ListElectricVehicleSessions(ctx, uuid.New(), uuid.New(), ListElectricVehicleSessionsParams{}, WithHeader("Host", "x"), WithRawBody(&body)); err == nil || len(body) != 0 {
		t.Errorf("a call refused before sending: %q, %v", body, err)
	}
}

// TestLoneSurrogates protects against jx's reading of a lone surrogate
// escape followed by a pair (see loneSurrogates): every string reads as
// encoding/json reads it.
func TestLoneSurrogates(t *testing.T) {
	for _, s := range []string{`\udc00\ud834\udd1e`, `\ud800\ud834\udd1e`, `a\ud800`, `\ud800\u0041`, `\ud834\udd1e\udc00`,
		`\\ud800`, `\\\ud800x`, `\ud800\n`, `\uD834\uDD1E`, `\udbff\udfff\udc00\udbff`} {
		body := []byte(`{"session_outcome": "` + s + `", "x` + s + `": "` + s + `"}`)
		var got, want SessionItem
		if err := decodeTop(body, &got, decodeSessionItem); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatal(err)
		}
		if *got.SessionOutcome != *want.SessionOutcome {
			t.Errorf("%s decoded as %q, encoding/json %q", s, *got.SessionOutcome, *want.SessionOutcome)
		}
		var key string
		for k := range got.ExtraFields() {
			key = k
		}
		if key != "x"+*want.SessionOutcome {
			t.Errorf("the key %s decoded as %q", s, key)
		}
	}
}

// TestDecodeErrorsShowNoPrefix: an error quotes a short value whole, which
// the error layer can redact if it is a secret, and never a prefix of a
// long one, which it could not (issue 23's echoed tokens).
func TestDecodeErrorsShowNoPrefix(t *testing.T) {
	token := "Bearer acc-token-" + strings.Repeat("s3cr3t", 10)
	var item SessionItem
	err := decodeTop([]byte(`{"id": "`+token+`"}`), &item, decodeSessionItem)
	if err == nil || strings.Contains(err.Error(), "acc-token") || !strings.Contains(err.Error(), "a string of 77 bytes is not a UUID") {
		t.Errorf("a long value: %v", err)
	}
	err = decodeTop([]byte(`{"id": "short-token-1234"}`), &item, decodeSessionItem)
	if err == nil || !strings.Contains(err.Error(), `"short-token-1234" is not a UUID`) {
		t.Errorf("a short value: %v", err)
	}
	key := "k-" + token
	err = decodeTop([]byte(`{"`+key+`": [}`), &item, decodeSessionItem)
	if err == nil || strings.Contains(err.Error(), "acc-token") {
		t.Errorf("a long key: %v", err)
	}
}
