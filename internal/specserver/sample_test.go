package specserver

import (
	"encoding/json"
	"testing"
)

// TestSamplesConform: Sample and Blank of every schema of the spec conform
// to it, once encoded and decoded as they travel.
func TestSamplesConform(t *testing.T) {
	doc, err := Doc()
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Components.Schemas) == 0 {
		t.Fatal("the spec has no component schemas")
	}
	for name, ref := range doc.Components.Schemas {
		for kind, v := range map[string]any{"Sample": Sample(ref), "Blank": Blank(ref)} {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s(%s): %v", kind, name, err)
			}
			var decoded any
			if err := json.Unmarshal(b, &decoded); err != nil {
				t.Fatal(err)
			}
			if err := CheckValue(ref, decoded); err != nil {
				t.Errorf("%s(%s) = %s does not conform: %v", kind, name, b, err)
			}
		}
	}
}

// TestBlankIsPlain: Blank leaves what nobody set null or zero, where Sample
// makes something up.
func TestBlankIsPlain(t *testing.T) {
	doc, err := Doc()
	if err != nil {
		t.Fatal(err)
	}
	user := doc.Components.Schemas["UserOutput"]
	blank, sample := Blank(user).(map[string]any), Sample(user).(map[string]any)
	for field, want := range map[string]any{"first_name": nil, "num_inverters": 0.0, "role": "admin"} {
		if blank[field] != want {
			t.Errorf("Blank(UserOutput).%s = %v, want %v", field, blank[field], want)
		}
	}
	if sample["first_name"] == nil || !Nullable(user.Value.Properties["first_name"]) || Nullable(user.Value.Properties["email"]) {
		t.Error("Sample fills a nullable field; Nullable tells first_name (nullable) from email")
	}
}
