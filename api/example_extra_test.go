package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
)

// newerAPI stands for a Podero API newer than the SDK's spec: its users
// have a property, loyalty_tier, that the spec does not declare.
func newerAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "organization_id": "9b2f0c1e-4d3a-4b5c-8d7e-6f5a4b3c2d1e",
			"role": "user", "email": "ada@example.com", "num_inverters": 0, "num_heat_pumps": 0,
			"num_electric_vehicles": 1, "num_wallboxes": 0, "loyalty_tier": {"name": "gold", "since": 2024}}`)
	}))
}

// A property the SDK's spec does not declare is kept, as raw JSON, until a
// release of the SDK knows it.
func ExampleUserOutput_ExtraFields() {
	srv := newerAPI()
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: uuid.MustParse("9b2f0c1e-4d3a-4b5c-8d7e-6f5a4b3c2d1e"),
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "example-token"})})
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.GetUser(context.Background(), uuid.MustParse("3fa85f64-5717-4562-b3fc-2c963f66afa6"))
	if err != nil {
		log.Fatal(err)
	}
	var tier struct {
		Name  string `json:"name"`
		Since int    `json:"since"`
	}
	if raw, ok := u.ExtraFields()["loyalty_tier"]; ok {
		if err := json.Unmarshal(raw, &tier); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(u.Email, string(u.ExtraFields()["loyalty_tier"]), tier.Name, tier.Since)
	// Output:
	// ada@example.com {"name": "gold", "since": 2024} gold 2024
}

// WithRawBody gives the body of the answer as the server sent it.
func ExampleWithRawBody() {
	srv := newerAPI()
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: uuid.MustParse("9b2f0c1e-4d3a-4b5c-8d7e-6f5a4b3c2d1e"),
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "example-token"})})
	if err != nil {
		log.Fatal(err)
	}
	var body []byte
	u, err := c.GetUser(context.Background(), uuid.MustParse("3fa85f64-5717-4562-b3fc-2c963f66afa6"), api.WithRawBody(&body))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Email, len(body), json.Valid(body))
	// Output:
	// ada@example.com 293 true
}
