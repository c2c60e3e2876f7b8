package poderotest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/internal/specserver"
)

// TestEveryOperation calls every operation of the spec with ids of objects
// that exist, and the spec's samples for everything else. Each must answer
// its first declared success status; New checks that every answer conforms.
func TestEveryOperation(t *testing.T) {
	srv, c := setup(t)
	doc, err := specserver.Doc()
	if err != nil {
		t.Fatal(err)
	}
	u := createUser(t, srv, c, "ext-every")
	ids := map[string]string{
		"org_id":      srv.OrgID.String(),
		"user_id":     u.ID.String(),
		"external_id": "ext-every",
	}
	for param, dt := range map[string]poderotest.DeviceType{
		"electric_vehicle_id": poderotest.ElectricVehicle, "heat_pump_id": poderotest.HeatPump,
		"inverter_id": poderotest.Inverter, "wallbox_id": poderotest.Wallbox,
	} {
		id, err := srv.AddDevice(u.ID, dt)
		if err != nil {
			t.Fatal(err)
		}
		ids[param] = id.String()
	}
	ids["device_id"] = ids["heat_pump_id"]
	if err := srv.AddHEMSSessions(parseUUID(t, ids["wallbox_id"]), 1); err != nil {
		t.Fatal(err)
	}
	ids["session_id"] = "1" // the first HEMS session of the server
	tok := token(t, srv)
	create := func(path, body, param string) {
		status, _, out := raw(t, http.MethodPost, srv.URL+path, tok, body)
		if status != 200 {
			t.Fatalf("POST %s: %d %v", path, status, out)
		}
		ids[param] = out["id"].(string)
	}
	org := "/api/partners/v2.0/org/" + ids["org_id"] + "/users/" + ids["user_id"]
	create(org+"/buildings", `{"name":"Home"}`, "building_id")
	create(org+"/energy-contracts", `{"supplier":"Good Energy Company"}`, "energy_contract_id")
	create("/api/partners/v2.0/device-onboarding", `{"language":"en","price_zone_default":"AT","success_url":"https://partner.example/ok","cancel_url":"https://partner.example/no","user_id":"`+ids["user_id"]+`"}`, "onboarding_session_id")
	status, _, claim := raw(t, http.MethodPost, srv.URL+org+"/wallboxes/claim-tokens", tok, "")
	if status != 201 {
		t.Fatalf("mint a claim token: %d %v", status, claim)
	}
	ids["token"] = claim["token"].(string)
	// A cue for each cue operation, with its secret: ReportCueState's
	// success ends its cue.
	devices := map[string]string{"electric_vehicle_id": "electric-vehicles", "heat_pump_id": "heat-pumps", "inverter_id": "inverters"}
	cue := func(param string, add func(openapi_types.UUID) (string, error)) map[string]string {
		id, err := add(parseUUID(t, ids[param]))
		if err != nil {
			t.Fatal(err)
		}
		_, secret := resolutionLink(t, tok, srv.URL+org+"/"+devices[param]+"/"+ids[param], id)
		return map[string]string{"cue_id": id, "secret": secret}
	}
	perOperation := map[string]map[string]string{
		"ResolveCue":            cue("electric_vehicle_id", srv.RequireReauthentication),
		"ResolveInformationCue": cue("heat_pump_id", srv.AddInformation),
		"ReportCueState":        cue("inverter_id", srv.AddInformation),
	}

	for _, info := range api.Operations {
		t.Run(info.Name, func(t *testing.T) {
			op := doc.Paths.Value(info.Path).GetOperation(info.Method)
			params := maps.Clone(ids)
			maps.Copy(params, perOperation[info.Name])
			req := request(t, srv.URL, info, op, params)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want, _, err := specserver.SampleResponse(op)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != want {
				t.Errorf("%s %s: status %d, want %d; body: %s", info.Method, req.URL.Path, resp.StatusCode, want, body)
			}
		})
	}
}

// request builds a valid request for op: parameters from ids (or the
// sample), every other query and header parameter and the body from the
// spec's samples, with any body field named like an id parameter set to
// that id.
func request(t *testing.T, base string, info api.OperationInfo, op *openapi3.Operation, ids map[string]string) *http.Request {
	t.Helper()
	path, query := info.Path, url.Values{}
	header := http.Header{}
	for _, p := range op.Parameters {
		v := specserver.SampleParam(p.Value)
		if id, ok := ids[p.Value.Name]; ok {
			v = id
		}
		switch p.Value.In {
		case openapi3.ParameterInPath:
			path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", url.PathEscape(v))
		case openapi3.ParameterInQuery:
			query.Set(p.Value.Name, v)
		case openapi3.ParameterInHeader:
			header.Set(p.Value.Name, v)
		}
	}
	var body io.Reader
	if op.RequestBody != nil {
		sample := specserver.Sample(op.RequestBody.Value.Content.Get("application/json").Schema)
		if obj, ok := sample.(map[string]any); ok {
			for k := range obj {
				if id, ok := ids[k]; ok {
					obj[k] = id
				}
			}
		}
		b, err := json.Marshal(sample)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
		header.Set("Content-Type", "application/json")
	}
	req, err := http.NewRequest(info.Method, base+path+"?"+query.Encode(), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	return req
}
