package conformance

import (
	"strings"
	"testing"

	"github.com/podero-go/podero/internal/specserver"
)

// methodsSpec has an operation without a body and one for each kind of
// body oapi-codegen names its raw methods by: application/json, a
// multipart upload, an octet stream, merge-patch+json and a form.
const methodsSpec = `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/things": {
    "get": {"operationId": "list_things", "responses": {"200": {"description": "OK"}}},
    "post": {"operationId": "create_thing", "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}, "responses": {"200": {"description": "OK"}}}
  },
  "/uploads": {"post": {"operationId": "upload", "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}}, "responses": {"200": {"description": "OK"}}}},
  "/blobs": {"put": {"operationId": "put_blob", "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "responses": {"200": {"description": "OK"}}}},
  "/things/{id}": {"patch": {"operationId": "patch_thing", "parameters": [{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}],
    "requestBody": {"content": {"application/merge-patch+json": {"schema": {"type": "object"}}}}, "responses": {"200": {"description": "OK"}}}},
  "/login": {"post": {"operationId": "login", "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}, "responses": {"200": {"description": "OK"}}}}
}}`

// fakeRaw has the methods oapi-codegen's ClientWithResponses has for
// methodsSpec (in a package of any name, api/raw or a corpus client's).
type fakeRaw struct{}

func (fakeRaw) ListThingsWithResponse()                                      {}
func (fakeRaw) CreateThingWithResponse()                                     {}
func (fakeRaw) CreateThingWithBodyWithResponse()                             {}
func (fakeRaw) UploadWithBodyWithResponse()                                  {}
func (fakeRaw) PutBlobWithBodyWithResponse()                                 {}
func (fakeRaw) PatchThingWithBodyWithResponse()                              {}
func (fakeRaw) PatchThingWithApplicationMergePatchPlusJSONBodyWithResponse() {}
func (fakeRaw) LoginWithBodyWithResponse()                                   {}
func (fakeRaw) LoginWithFormdataBodyWithResponse()                           {}

type fakePartner struct{}

func (fakePartner) ListThings()  {}
func (fakePartner) CreateThing() {}
func (fakePartner) Upload()      {}
func (fakePartner) PutBlob()     {}
func (fakePartner) PatchThing()  {}
func (fakePartner) Login()       {}

var methodsOps = []Operation{
	{Name: "ListThings", Method: "GET", Path: "/things", OperationID: "list_things"},
	{Name: "CreateThing", Method: "POST", Path: "/things", OperationID: "create_thing"},
	{Name: "Upload", Method: "POST", Path: "/uploads", OperationID: "upload"},
	{Name: "PutBlob", Method: "PUT", Path: "/blobs", OperationID: "put_blob"},
	{Name: "PatchThing", Method: "PATCH", Path: "/things/{id}", OperationID: "patch_thing"},
	{Name: "Login", Method: "POST", Path: "/login", OperationID: "login"},
}

// TestMethodCheckAcceptsBodiesThatAreNotJSON: a client with the methods
// oapi-codegen writes passes the method check, though an operation whose
// only body is not application/json (an upload, a merge patch, a form) has
// no <Name>WithResponse; and the check still finds what is missing.
func TestMethodCheckAcceptsBodiesThatAreNotJSON(t *testing.T) {
	doc, err := specserver.LoadDoc([]byte(methodsSpec))
	if err != nil {
		t.Fatal(err)
	}
	if problems := MissingMethods(doc, methodsOps, fakeRaw{}, fakePartner{}); len(problems) > 0 {
		t.Errorf("a valid client fails the check:\n%s", strings.Join(problems, "\n"))
	}
	type noRaw struct{}
	problems := MissingMethods(doc, methodsOps[1:], noRaw{}, fakePartner{})
	for _, want := range []string{
		`GET /things (operationId "list_things") is not in Operations`,
		"POST /things (CreateThing) has no method CreateThingWithResponse on the raw client conformance.noRaw",
		"POST /uploads (Upload) has no method UploadWithBodyWithResponse",
		"the spec has 6 operations, Operations 5",
	} {
		if !strings.Contains(strings.Join(problems, "\n"), want) {
			t.Errorf("the check does not say %q:\n%s", want, strings.Join(problems, "\n"))
		}
	}
}
