package poderotest

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/internal/specserver"
)

// kind is a sort of object the fake keeps: its collection's path segment,
// the path parameter that names one, and its output schema. One table
// drives creating, reading, updating and listing all of them.
type kind struct {
	name    string // "user", "building", ..., or a device code
	segment string // the collection's path segment
	param   string // the path parameter naming one
	schema  string // output schema in the spec's components
	// Devices only: device_model.device_type, the state a new one reports,
	// and whether it charges (electric vehicles and wallboxes: see
	// charger).
	deviceType map[string]any
	initial    map[string]any
	charger    bool
	isDevice   bool
	sessions   *sessionKind // the sessions it keeps, if any
}

// DeviceType is a kind of device, as an onboarding session's device_type
// names it.
type DeviceType string

// The device types.
const (
	ElectricVehicle DeviceType = "ev"
	HeatPump        DeviceType = "hp"
	Inverter        DeviceType = "iv"
	Wallbox         DeviceType = "wb"
)

var kinds = []*kind{
	{name: "user", segment: "users", param: "user_id", schema: "UserOutput"},
	{name: "building", segment: "buildings", param: "building_id", schema: "BuildingOutput"},
	{name: "contract", segment: "energy-contracts", param: "energy_contract_id", schema: "EnergyContractOutput"},
	{name: "onboarding", segment: "device-onboarding", param: "onboarding_session_id", schema: "DeviceOnboardingSessionOutput"},
	{name: string(ElectricVehicle), segment: "electric-vehicles", param: "electric_vehicle_id", schema: "ElectricVehicleOutput", isDevice: true,
		deviceType: map[string]any{"short_name": "ev", "long_name": "Electric Vehicle"},
		initial: map[string]any{"is_fully_charged": false,
			"battery_level": 60, "battery_capacity_kwh": 64.0, "driving_range": 280},
		charger: true, sessions: evSessions},
	{name: string(HeatPump), segment: "heat-pumps", param: "heat_pump_id", schema: "HeatPumpOutput", isDevice: true,
		deviceType: map[string]any{"short_name": "hp_atw", "long_name": "Heat Pump (Air-to-Water)"}},
	{name: string(Inverter), segment: "inverters", param: "inverter_id", schema: "InverterOutput", isDevice: true,
		deviceType: map[string]any{"short_name": "inverter", "long_name": "Solar Inverter"}},
	{name: string(Wallbox), segment: "wallboxes", param: "wallbox_id", schema: "WallboxOutput", isDevice: true,
		deviceType: map[string]any{"short_name": "wallbox", "long_name": "Wallbox"},
		charger:    true, sessions: hemsSessions},
}

// anyDevice is the kind of the generic device_id parameter.
var anyDevice = &kind{name: "device", param: "device_id"}

func kindBy(match func(*kind) bool) *kind {
	for _, k := range kinds {
		if match(k) {
			return k
		}
	}
	return nil
}

func kindNamed(name string) *kind { return kindBy(func(k *kind) bool { return k.name == name }) }

// record is one stored object. obj is the object as the API returns it,
// in JSON values (map[string]any, []any, float64, ...), except for fields
// computed when it is rendered (a user's device counts, a device's owner).
type record struct {
	kind  *kind
	owner string // the owning user's id; "" for users
	seq   int    // creation order, for lists
	obj   map[string]any
	input map[string]any // onboarding sessions: the create request
	// Electric vehicles and wallboxes: finished sessions, newest first, and
	// the one running while the device charges.
	sessions []session
	current  *session
	// ch is what an electric vehicle or wallbox reports about charging;
	// nil for other objects.
	ch *charger
	// actions are a device's pending actions, oldest first.
	actions []*cue
	// cue is, for an onboarding session that a cue's /resolve started,
	// that cue's id.
	cue string
	// settings are documents an object has without ids of their own, by
	// path segment: a user's charging-config, a vehicle's charge-policy.
	settings map[string]map[string]any
	// noted is what the ground truth last logged of a device (note), and
	// logRef its index in Server.logRefs (0: not yet logged).
	noted  noted
	logRef int32
	// json is a user's rendering, kept for the users list until changed.
	json []byte
	// proc is the change process's state of a device; nil without one.
	proc *deviceProc
}

func (r *record) id() string { return r.obj["id"].(string) }

func (r *record) is(k *kind) bool {
	return r.kind == k || (k == anyDevice && r.kind.isDevice)
}

// schema returns a component schema of the spec.
func (s *Server) schema(name string) *openapi3.SchemaRef {
	return s.doc.Components.Schemas[name]
}

// create stores a new object of kind k for owner: the schema's blank
// object, with the kind's initial values, then the request's fields.
func (s *Server) create(k *kind, owner string, input map[string]any) *record {
	return s.createAt(k, owner, input, s.now())
}

// createAt is create at the time t.
func (s *Server) createAt(k *kind, owner string, input map[string]any, t time.Time) *record {
	obj := s.blank(k)
	s.seq++
	rec := &record{kind: k, owner: owner, seq: s.seq, obj: obj}
	obj["id"] = newID()
	s.initialize(rec, t)
	merge(obj, input, s.schema(k.schema).Value)
	s.records[rec.id()] = rec
	s.owned[owner] = append(s.owned[owner], rec)
	s.changed(rec)
	switch {
	case k.name == "user":
		s.log(UserAdded, t, rec, "")
	case k.isDevice:
		s.log(DeviceAdded, t, rec, "")
	}
	return rec
}

// blank is a new object of kind k: its schema's blank object, built once
// per kind (walking the schema costs more than copying its result).
func (s *Server) blank(k *kind) map[string]any {
	b, ok := s.blanks[k]
	if !ok {
		b, _ = specserver.Blank(s.schema(k.schema)).(map[string]any)
		s.blanks[k] = b
	}
	obj, _ := clone(b).(map[string]any)
	return obj
}

// removeAt deletes a record at t, and a device's pending actions, as if it
// had never been: reads of it answer 404 and lists leave it out.
func (s *Server) removeAt(rec *record, t time.Time) {
	s.changed(rec)
	delete(s.records, rec.id())
	s.owned[rec.owner] = slices.DeleteFunc(s.owned[rec.owner], func(r *record) bool { return r == rec })
	for _, c := range slices.Clone(rec.actions) {
		s.removeCue(c)
	}
	if rec.kind.isDevice {
		s.log(DeviceGone, t, rec, "")
	}
}

// initialize sets what Podero sets on a new object of rec's kind.
func (s *Server) initialize(rec *record, t time.Time) {
	obj, now := rec.obj, timestamp(t)
	switch {
	case rec.kind.name == "user":
		obj["organization_id"] = s.OrgID.String()
		obj["is_onboarded"] = false
		obj["joined_at"] = now
	case rec.kind.name == "onboarding":
		// "Sessions are valid until the end of the next day."
		obj["expiration_date"] = t.UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		obj["authentication_url"] = s.URL + connectPath + "?onboarding_session_id=" + rec.id()
		obj["success_url"], obj["cancel_url"] = "", ""
	case rec.kind.isDevice:
		obj["created_at"], obj["updated_at"] = now, now
		obj["device_model"] = map[string]any{"device_type": clone(rec.kind.deviceType), "manufacturer": "poderotest",
			"model": rec.kind.deviceType["long_name"], "year": nil, "cloud_service": nil,
			"cloud_service_instructions": nil, "cloud_service_signup_link": nil}
		obj["lifecycle_state"] = "created"
		for _, f := range []string{"connection_status", "monitoring_status", "steering_status"} {
			obj[f] = "unknown"
		}
		setPresent(obj, rec.kind.initial)
		if rec.kind.charger {
			rec.ch = &charger{}
		}
	}
}

// authenticate marks a device as connected to its cloud account, as a
// completed onboarding or reauthentication does, and ends its pending
// reauthenticate actions but keep (nil for none): the one whose /resolve
// started the session, which stays until its outcome is reported.
func (s *Server) authenticate(dev *record, keep *cue) { s.authenticateAt(dev, keep, s.now()) }

// authenticateAt is authenticate at the time t.
func (s *Server) authenticateAt(dev *record, keep *cue, t time.Time) {
	setPresent(dev.obj, map[string]any{"is_authenticated": true, "lifecycle_state": "authenticated", "lifecycle_error": nil,
		"connection_status": "ok", "monitoring_status": "ok", "steering_status": "ok", "updated_at": timestamp(t)})
	for _, c := range slices.Clone(dev.actions) {
		if c.code == reauthenticate && c != keep {
			s.removeCue(c)
		}
	}
	if user := s.records[dev.owner]; user != nil && user.obj["is_onboarded"] != true {
		user.obj["is_onboarded"] = true
		s.changed(user)
		s.log(OnboardingCompleted, t, user, "")
	}
	s.note(dev, t)
}

// update merges a partial update into rec.
func (s *Server) update(rec *record, input map[string]any) {
	merge(rec.obj, input, s.schema(rec.kind.schema).Value)
	setPresent(rec.obj, map[string]any{"updated_at": timestamp(s.now())})
	s.changed(rec)
}

// render returns rec as the API answers it: a copy, so that it can be
// encoded after the lock is released, with the computed fields filled in.
func (s *Server) render(rec *record) map[string]any {
	obj := clone(rec.obj).(map[string]any)
	switch {
	case rec.kind.name == "user":
		counts := map[DeviceType]int{}
		for _, r := range s.owned[rec.id()] {
			if r.kind.isDevice {
				counts[DeviceType(r.kind.name)]++
			}
		}
		obj["num_electric_vehicles"] = counts[ElectricVehicle]
		obj["num_heat_pumps"] = counts[HeatPump]
		obj["num_inverters"] = counts[Inverter]
		obj["num_wallboxes"] = counts[Wallbox]
	case rec.kind.isDevice:
		if rec.ch != nil {
			rec.ch.render(obj)
		}
		obj["actions"], obj["action_needed"] = s.renderActions(rec)
		if user := s.records[rec.owner]; user != nil {
			u := user.obj
			obj["owner"] = map[string]any{"id": u["id"], "email": u["email"], "first_name": u["first_name"],
				"last_name": u["last_name"], "external_id": u["external_user_id"]}
		}
	}
	return obj
}

// list renders the objects of kind k that owner owns, oldest first. Its
// cost is that of the owner's records, not of the whole store.
func (s *Server) list(k *kind, owner string) []any {
	out := []any{}                     // [] rather than null when empty
	for _, r := range s.owned[owner] { // in creation order
		if r.kind == k {
			out = append(out, s.render(r))
		}
	}
	return out
}

// listUsers is the users list, encoded: each user's JSON is kept until the
// user or their devices change, so that listing thousands of users costs
// little more than copying them.
func (s *Server) listUsers() []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for _, u := range s.owned[""] {
		if u.kind.name != "user" {
			continue
		}
		if u.json == nil {
			u.json, _ = json.Marshal(s.render(u)) // JSON values: cannot fail
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(u.json)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// changed drops what is kept of a record's rendering (a user's JSON):
// it, or what is computed into it, changed.
func (s *Server) changed(rec *record) {
	if rec == nil {
		return
	}
	rec.json = nil
	if rec.kind.isDevice {
		if user := s.records[rec.owner]; user != nil {
			user.json = nil // its device counts
		}
	}
}

// merge writes the fields of in into out, as a partial update does: a
// field in does not have is left alone. Inputs name references where
// outputs do not (building_id, cloud_service_id, country_iso2 for building,
// cloud_service, country), so a field the output lacks goes to its name
// without that suffix. A field the output has no room for, or a value its
// schema rejects (null for a field that cannot be null), is skipped; nested
// objects (device_model) are merged the same way.
func merge(out, in map[string]any, schema *openapi3.Schema) {
	for name, v := range in {
		name, prop := outputField(name, schema)
		if prop == nil || prop.Value == nil {
			continue
		}
		sub, isObj := v.(map[string]any)
		dst, hasObj := out[name].(map[string]any)
		if isObj && hasObj && len(prop.Value.Properties) > 0 {
			merge(dst, sub, prop.Value)
			continue
		}
		if specserver.CheckValue(prop, v) == nil {
			out[name] = v
		}
	}
}

func outputField(name string, schema *openapi3.Schema) (string, *openapi3.SchemaRef) {
	if p := schema.Properties[name]; p != nil {
		return name, p
	}
	for _, suffix := range []string{"_id", "_iso2"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && schema.Properties[base] != nil {
			return base, schema.Properties[base]
		}
	}
	return name, nil
}

// setPresent sets the fields of values that obj already has, so that one
// call serves kinds whose schemas differ.
func setPresent(obj, values map[string]any) {
	for k, v := range values {
		if _, ok := obj[k]; ok {
			obj[k] = v
		}
	}
}

// clone deep-copies a JSON value.
func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clone(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = clone(e)
		}
		return s
	}
	return v
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
