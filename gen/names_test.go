package main

import (
	"go/token"
	"os"
	"strings"
	"testing"
)

func TestRuleName(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"integrations_api_api_v2_organizations_users_electric_vehicles_router_retrieve_electric_vehicle", "GetElectricVehiclesElectricVehicle"},
		{"integrations_api_api_v2_organizations_users_wallboxes_hems_sessions_router_list_hems_sessions_endpoint", "ListWallboxesHEMSSessions"},
		{"integrations_api_api_v2_organizations_users_electric_vehicles_charge_policy_charge_policy_router_get", "GetElectricVehiclesChargePolicy"},
		{"integrations_api_api_v2_organizations_users_router_retrieve_user_by_external_id", "GetUsersUserByExternalID"},
		{"integrations_api_api_v2_cues_router_report_cue_state", "ReportCuesCueState"},
		{"integrations_api_api_v2_organizations_users_inverters_router_auth_session", "InvertersAuthSession"},
		{"listPets", "ListPets"},
		{"get-HTTPServer_url", "GetHTTPServerURL"},
		{"2fa_enable", "Op2faEnable"},
		{"créer_utilisateur", "CrErUtilisateur"},
	} {
		got, err := ruleName(tc.id)
		if err != nil || got != tc.want {
			t.Errorf("ruleName(%q) = %q, %v; want %q", tc.id, got, err, tc.want)
		}
	}
	for _, id := range []string{"", "___", "é", "-"} {
		if got, err := ruleName(id); err == nil {
			t.Errorf("ruleName(%q) = %q, want an error", id, got)
		} else if !strings.Contains(err.Error(), "no letters or digits") {
			t.Errorf("ruleName(%q): unclear error %v", id, err)
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
		name, err := ruleName(id)
		if err != nil {
			if name != "" || !strings.Contains(err.Error(), "operationId") {
				t.Fatalf("ruleName(%q) = %q, %v", id, name, err)
			}
			return
		}
		if !token.IsIdentifier(name) || !token.IsExported(name) {
			t.Fatalf("ruleName(%q) = %q, not an exported identifier", id, name)
		}
		if again, _ := ruleName(id); again != name {
			t.Fatalf("ruleName(%q) is not deterministic: %q then %q", id, name, again)
		}
	})
}

func TestAssignNames(t *testing.T) {
	ops := []opName{
		{OperationID: "a_router_get_thing", Method: "get", Path: "/a"},
		{OperationID: "new_op", Method: "post", Path: "/b"},
	}
	named, err := assignNames(ops, nameTable{"a_router_get_thing": "GetThing"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if named[0].GoName != "GetThing" || named[0].FromRule || named[1].GoName != "NewOp" || !named[1].FromRule {
		t.Errorf("got %+v", named)
	}

	// The table gives a name the rule also gives another operation.
	_, err = assignNames(ops, nameTable{"a_router_get_thing": "NewOp"}, nil)
	if err == nil || !strings.Contains(err.Error(), "Go name NewOp is given to both a_router_get_thing and new_op") {
		t.Errorf("collision: got %v", err)
	}
	// Names that differ only in case collide as well.
	_, err = assignNames(ops, nameTable{"a_router_get_thing": "Newop"}, nil)
	if err == nil {
		t.Error("a case-only collision was accepted")
	}
	// An operationId the rule cannot name is an error naming the endpoint.
	_, err = assignNames([]opName{{OperationID: "__", Method: "get", Path: "/x"}}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "get /x") {
		t.Errorf("unnamable: got %v", err)
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
	for _, bad := range []string{"a b c\n", "a lowercase\n", "a 1Go\n", "a X\na Y\n"} {
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
