package poderotest

import (
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/internal/specserver"
)

// settingKind is a document an object has without an id of its own, read
// with GET and updated with PUT at a path segment after the object's id: a
// user's charging configuration, a vehicle's charge policy.
type settingKind struct {
	segment string // the path segment: "charging-config"
	of      string // the kind of the object it belongs to
	schema  string // the output schema
	// initial is the document before any PUT.
	initial func(obj map[string]any)
	// apply merges a PUT body into the document.
	apply func(doc, in map[string]any, schema *openapi3.Schema)
	// render fills in what is computed when the document is read.
	render func(s *Server, owner *record, doc map[string]any)
}

var settings = []*settingKind{
	{segment: "charging-config", of: "user", schema: "ChargingConfigOutput",
		initial: initialChargingConfig, apply: applyChargingConfig, render: (*Server).renderChargingConfig},
	{segment: "charge-policy", of: string(ElectricVehicle), schema: "ChargePolicyOutput",
		initial: initialChargePolicy, apply: applyChargePolicy, render: (*Server).renderChargePolicy},
}

func settingNamed(segment string) *settingKind {
	for _, st := range settings {
		if st.segment == segment {
			return st
		}
	}
	return nil
}

// setting answers GET and PUT of a setting of owner: the stored document,
// after merging a PUT's body into it.
func (s *Server) setting(x *exchange, owner *record, st *settingKind) specserver.Response {
	schema := s.schema(st.schema)
	doc := owner.settings[st.segment]
	if doc == nil {
		doc, _ = specserver.Blank(schema).(map[string]any)
		st.initial(doc)
		if owner.settings == nil {
			owner.settings = map[string]map[string]any{}
		}
		owner.settings[st.segment] = doc
	}
	if x.r.Method == http.MethodPut {
		st.apply(doc, x.body, schema.Value)
	}
	out := clone(doc).(map[string]any)
	st.render(s, owner, out)
	return answer(http.StatusOK, out)
}

// chargingModes are ChargingConfigOutput's smart_charging_mode values.
var chargingModes = []string{"none", "spot", "hems", "hems_and_spot"}

// initialChargingConfig: no smart charging, every mode available, zero
// thresholds.
func initialChargingConfig(doc map[string]any) {
	doc["smart_charging_mode"] = "none"
	modes := make([]any, len(chargingModes))
	for i, m := range chargingModes {
		modes[i] = map[string]any{"mode": m, "available": true, "reasons": []any{}}
	}
	doc["available_modes"] = modes
	doc["hems_eligible"] = true
}

// applyChargingConfig merges a ChargingConfigUpdateInput: the mode, and
// the two HEMS thresholds, which the output has under thresholds. Null and
// omitted fields are left unchanged.
func applyChargingConfig(doc, in map[string]any, schema *openapi3.Schema) {
	update := map[string]any{}
	thresholds := map[string]any{}
	for k, v := range in {
		if strings.HasPrefix(k, "hems_") {
			thresholds[k] = v
		} else {
			update[k] = v
		}
	}
	update["thresholds"] = thresholds
	merge(doc, update, schema)
}

// renderChargingConfig lists the user's devices, oldest first; the first
// electric vehicle or wallbox is the primary actuator.
func (s *Server) renderChargingConfig(user *record, doc map[string]any) {
	var devs []*record
	for _, r := range s.owned[user.id()] { // in creation order
		if r.kind.isDevice {
			devs = append(devs, r)
		}
	}
	list, primary := make([]any, 0, len(devs)), false
	for _, d := range devs {
		first := d.kind.charger && !primary
		primary = primary || first
		list = append(list, map[string]any{"device_id": d.id(), "device_type": d.kind.name, "is_primary_actuator": first})
	}
	doc["devices"] = list
	if status, ok := doc["status"].(map[string]any); ok {
		status["as_of"] = timestamp(s.now())
	}
}

// initialChargePolicy: no target on any day, in UTC.
func initialChargePolicy(doc map[string]any) {
	if data, ok := doc["data"].(map[string]any); ok {
		data["timezone"] = "UTC"
	}
}

// applyChargePolicy merges a ChargeWeeklyPolicySchema into data: the days
// and timezone it has replace the stored ones, field by field.
func applyChargePolicy(doc, in map[string]any, schema *openapi3.Schema) {
	merge(doc, map[string]any{"data": in}, schema)
}

func (s *Server) renderChargePolicy(ev *record, doc map[string]any) {
	doc["metadata"] = map[string]any{"electric_vehicle_id": ev.id(), "user_id": ev.owner, "error": nil}
}
