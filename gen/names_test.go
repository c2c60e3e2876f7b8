package main

import (
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
)

// testGoName is oapi-codegen's name normaliser as api/oapi-codegen.yaml
// configures it.
func testGoName(t testing.TB) func(string) string {
	t.Helper()
	cfg, err := readCodegenConfig("../" + codegenConfig)
	if err != nil {
		t.Fatal(err)
	}
	goName, err := primeNames(cfg.Configuration)
	if err != nil {
		t.Fatal(err)
	}
	return goName
}

func TestRuleName(t *testing.T) {
	goName := testGoName(t)
	for _, tc := range []struct{ id, method, path, want string }{
		{"integrations_api_api_v2_organizations_users_electric_vehicles_router_retrieve_electric_vehicle", "GET", "/x", "GetElectricVehiclesElectricVehicle"},
		{"integrations_api_api_v2_organizations_users_wallboxes_hems_sessions_router_list_hems_sessions_endpoint", "GET", "/x", "ListWallboxesHEMSSessions"},
		{"integrations_api_api_v2_organizations_users_electric_vehicles_charge_policy_charge_policy_router_get", "GET", "/x", "GetElectricVehiclesChargePolicy"},
		{"integrations_api_api_v2_organizations_users_router_retrieve_user_by_external_id", "GET", "/x", "GetUsersUserByExternalID"},
		{"integrations_api_api_v2_cues_router_report_cue_state", "POST", "/x", "ReportCuesCueState"},
		{"integrations_api_api_v2_organizations_users_inverters_router_auth_session", "POST", "/x", "InvertersAuthSession"},
		// Another module path: the router and the view are found all the same.
		{"integrations_api_v2_cues_router_resolve_cue", "POST", "/x", "ResolveCuesCue"},
		{"partners_api_v3_0_organizations_users_wallboxes_hems_sessions_router_list_hems_sessions_endpoint", "GET", "/x", "ListWallboxesHEMSSessions"},
		{"podero_partners_cues_router_resolve_cue", "POST", "/x", "ResolvePoderoPartnersCuesCue"},
		{"shop_api_items_router_list_items", "GET", "/api/items", "ListItems"},
		{"core_views_get_thing", "GET", "/x", "GetCoreThing"},
		// FastAPI's default ids: the function, the path, the method.
		{"read_item_items__item_id__get", "GET", "/items/{item_id}", "ReadItem"},
		{"first_time_login_auth_first_time_login_get", "GET", "/auth/first_time_login", "FirstTimeLogin"},
		{"create_user_api_v1_users__post", "POST", "/api/v1/users/", "CreateUser"},
		// No operationId: the method and the path.
		{"", "GET", "/users/{user_id}/items", "GetUsersByUserIDItems"},
		{"", "DELETE", "/", ""},
		// Initialisms are oapi-codegen's (IP, DB, HTML, ...).
		{"get_ip_address", "GET", "/x", "GetIPAddress"},
		{"render_html_page", "GET", "/x", "RenderHTMLPage"},
		{"listPets", "GET", "/x", "ListPets"},
		{"get-HTTPServer_url", "GET", "/x", "GetHTTPServerURL"},
		{"2fa_enable", "GET", "/x", "Op2FaEnable"},
		{"créer_utilisateur", "GET", "/x", "CrErUtilisateur"},
	} {
		got, err := ruleName(tc.id, tc.method, tc.path)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ruleName(%q, %s %s) = %q, want an error", tc.id, tc.method, tc.path, got)
			}
			continue
		}
		if err != nil || goName(got) != tc.want {
			t.Errorf("ruleName(%q, %s %s) = %q (%q after goName), %v; want %q", tc.id, tc.method, tc.path, got, goName(got), err, tc.want)
		}
	}
	for _, id := range []string{"___", "é", "-"} {
		if got, err := ruleName(id, "GET", "/x"); err == nil {
			t.Errorf("ruleName(%q) = %q, want an error", id, got)
		} else if !strings.Contains(err.Error(), "no letters or digits") || !strings.Contains(err.Error(), nameTableFile) {
			t.Errorf("ruleName(%q): unclear error %v", id, err)
		}
	}
	// A rule-made name that still looks like a module path is an error
	// that names the operation and the table.
	for _, tc := range []struct{ id, path string }{
		{"integrations_api_api_v2_cues_router", "/x"},
		{"read_items_api_v1_items__get", "/items/"},
		{"legacy_views", "/x"},
	} {
		got, err := ruleName(tc.id, "GET", tc.path)
		if err == nil || !strings.Contains(err.Error(), "looks like a module path") || !strings.Contains(err.Error(), `add a line "`+tc.id+` GoName" to gen/operation_names.txt`) {
			t.Errorf("ruleName(%q) = %q, %v; want an error asking for a line in the table", tc.id, got, err)
		}
	}
}

// FuzzRuleName: any operationId gives an exported Go identifier or an error
// that says why, never a panic or an identifier that does not compile.
func FuzzRuleName(f *testing.F) {
	for _, seed := range []string{
		"integrations_api_api_v2_organizations_users_electric_vehicles_router_auth_session",
		"integrations_api_api_v2_router_", "integrations_api_api_v2_x_router", "getPets", "9", "a-b-c", "ÄÖÜ", "\x00", "router_router",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		name, err := ruleName(id, "GET", "/fuzz/{id}")
		if err != nil {
			if name != "" || !strings.Contains(err.Error(), "operationId") {
				t.Fatalf("ruleName(%q) = %q, %v", id, name, err)
			}
			return
		}
		if !token.IsIdentifier(name) || !token.IsExported(name) {
			t.Fatalf("ruleName(%q) = %q, not an exported identifier", id, name)
		}
		if again, _ := ruleName(id, "GET", "/fuzz/{id}"); again != name {
			t.Fatalf("ruleName(%q) is not deterministic: %q then %q", id, name, again)
		}
	})
}

func TestAssignNames(t *testing.T) {
	ops := []opName{
		{OperationID: "a_router_get_thing", Method: "get", Path: "/a"},
		{OperationID: "new_op", Method: "post", Path: "/b"},
	}
	named, _, err := assignNames(ops, nameTable{"a_router_get_thing": "GetThing"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if named[0].GoName != "GetThing" || named[0].FromRule || named[1].GoName != "NewOp" || !named[1].FromRule {
		t.Errorf("got %+v", named)
	}

	// The table gives a name the rule also gives another operation.
	_, _, err = assignNames(ops, nameTable{"a_router_get_thing": "NewOp"}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "Go name NewOp is given to both GET /a (operationId a_router_get_thing) and POST /b (operationId new_op)") {
		t.Errorf("collision: got %v", err)
	}
	// Names that differ only in case collide as well.
	_, _, err = assignNames(ops, nameTable{"a_router_get_thing": "Newop"}, nil, nil)
	if err == nil {
		t.Error("a case-only collision was accepted")
	}
	// An operationId the rule cannot name is an error naming the endpoint.
	_, _, err = assignNames([]opName{{OperationID: "__", Method: "get", Path: "/x"}}, nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "GET /x") {
		t.Errorf("unnamable: got %v", err)
	}
	// "METHOD /path" lines name an operation without an id, and win over
	// the id.
	named, _, err = assignNames([]opName{{Method: "GET", Path: "/a/{id}"}, {OperationID: "x_y", Method: "POST", Path: "/b"}},
		nameTable{"GET /a/{id}": "GetA", "POST /b": "MakeB", "x_y": "NotThis"}, nil, nil)
	if err != nil || named[0].GoName != "GetA" || named[0].FromRule || named[1].GoName != "MakeB" {
		t.Errorf("METHOD /path lines: %+v, %v", named, err)
	}
	// Two operations the rule gives one name (FastAPI's ids of a function
	// that serves two routes) are told apart by their paths.
	named, notes, err := assignNames([]opName{
		{OperationID: "camera_set_camera__name__set__feature__put", Method: "PUT", Path: "/camera/{name}/set/{feature}"},
		{OperationID: "camera_set_camera__name__set__feature___sub__put", Method: "PUT", Path: "/camera/{name}/set/{feature}/{sub}"},
	}, nil, nil, nil)
	if err != nil || named[0].GoName != "CameraSet" || named[1].GoName != "CameraSetBySub" || len(notes) != 1 || !strings.Contains(notes[0], "the rule gives 2 operations the name CameraSet") {
		t.Errorf("one rule-made name for two operations: %+v, %q, %v", named, notes, err)
	}
	// A name PartnerClient has by hand: the rule adds "Op"; the table may
	// not give it.
	named, notes, err = assignNames([]opName{{OperationID: "raw", Method: "GET", Path: "/raw"}}, nil, nil, map[string]string{"Raw": "api/client.go"})
	if err != nil || named[0].GoName != "RawOp" || len(notes) != 1 || !strings.Contains(notes[0], "PartnerClient.Raw, which api/client.go declares by hand") {
		t.Errorf("a hand-written method's name: %+v, %q, %v", named, notes, err)
	}
	_, _, err = assignNames([]opName{{OperationID: "raw", Method: "GET", Path: "/raw"}}, nameTable{"raw": "Raw"}, nil, map[string]string{"Raw": "api/client.go"})
	if err == nil || !strings.Contains(err.Error(), "choose another name") {
		t.Errorf("the table giving a hand-written method's name: %v", err)
	}
	// A name that is a method another operation's name gives
	// (CreateThing's client has CreateThingWithBody): the rule adds "Op",
	// past names taken; the table may not give it.
	things := []opName{
		{OperationID: "create_thing", Method: "POST", Path: "/things"},
		{OperationID: "create_thing_with_body", Method: "POST", Path: "/things/body"},
		{OperationID: "create_thing_with_body_op", Method: "POST", Path: "/things/body-op"},
	}
	named, notes, err = assignNames(things, nil, nil, nil)
	if err != nil || named[0].GoName != "CreateThing" || named[1].GoName != "CreateThingWithBodyOpOp" || named[2].GoName != "CreateThingWithBodyOp" ||
		len(notes) != 1 || !strings.Contains(notes[0], "POST /things/body (operationId create_thing_with_body) would be CreateThingWithBody, a method the name CreateThing of POST /things (operationId create_thing) gives already; named CreateThingWithBodyOpOp by the rule") {
		t.Errorf("a name another operation's gives: %+v, %q, %v", named, notes, err)
	}
	_, _, err = assignNames(things[:2], nameTable{"create_thing_with_body": "CreateThingWithBody"}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "gen/operation_names.txt names it CreateThingWithBody, a method that the name CreateThing of POST /things (operationId create_thing) gives already: choose another name") {
		t.Errorf("the table giving a name another operation's gives: %v", err)
	}
}

func TestNameTable(t *testing.T) {
	table, err := loadNameTable("operation_names.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(table) != 63 {
		t.Errorf("the table names %d operations, want the spec's 63", len(table))
	}
	if tab, err := parseNameTable("t.txt", []byte("get /things/{id} GetThing\n")); err != nil || tab["GET /things/{id}"] != "GetThing" {
		t.Errorf("a METHOD /path line: %v, %v", tab, err)
	}
	for _, bad := range []string{"a b c\n", "a lowercase\n", "a 1Go\n", "a X\na Y\n", "GET things GetThing\n"} {
		if _, err := parseNameTable("t.txt", []byte(bad)); err == nil {
			t.Errorf("parseNameTable(%q) accepted it", bad)
		} else if !strings.Contains(err.Error(), "t.txt:") {
			t.Errorf("parseNameTable(%q): error %v does not name the line", bad, err)
		}
	}
	if _, err := loadNameTable("no-such-file.txt"); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing table: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// TestRuleKeepsTheMethodThatTellsOperationsApart: FastAPI's default ids of
// one function on two methods of one path (request_data_request_data_post
// and ..._put) lose their path and method by the rule, and their paths do
// not tell them apart: the method does (method_suffix in the corpus).
func TestRuleKeepsTheMethodThatTellsOperationsApart(t *testing.T) {
	named, notes, err := assignNames([]opName{
		{OperationID: "request_data_request_data_post", Method: "POST", Path: "/request-data"},
		{OperationID: "request_data_request_data_put", Method: "PUT", Path: "/request-data"},
		{OperationID: "request_data_request_data__request_id__delete", Method: "DELETE", Path: "/request-data/{request_id}"},
		{OperationID: "read_request_data_request_data_get", Method: "GET", Path: "/request-data"},
	}, nil, testGoName(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range named {
		got = append(got, op.GoName)
	}
	if want := []string{"RequestDataPost", "RequestDataPut", "RequestDataByRequestID", "ReadRequestData"}; !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "the rule gives 3 operations the name RequestData: by their paths and methods, POST /request-data (operationId request_data_request_data_post) is RequestDataPost") {
		t.Errorf("notes %q", notes)
	}
}
