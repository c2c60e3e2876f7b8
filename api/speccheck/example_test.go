package speccheck_test

import (
	"context"
	"fmt"
	"log"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/api/speccheck"
)

// A client whose responses are checked against the pinned spec. Here
// poderotest plays a Podero that has grown a property the spec does not
// declare; the checker reports it once, however often it is seen.
func Example() {
	srv := poderotest.NewServer()
	defer srv.Close()
	srv.Tamper("GetUser", func(body map[string]any) { body["loyalty_tier"] = "gold" })

	checker, err := speccheck.New(speccheck.Options{
		SampleRate: 1, // every response; in production, 0.01 to 0.05
		OnMismatch: func(m speccheck.Mismatch) { fmt.Println("drift:", m) },
	})
	if err != nil {
		log.Fatal(err)
	}
	defer checker.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		ResponseCheck: checker})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		if _, err := c.GetUser(ctx, user.ID); err != nil {
			log.Fatal(err)
		}
	}
	_ = checker.Flush(ctx) // wait for the background checks
	for _, t := range checker.Summary().Mismatches {
		fmt.Printf("%s %s seen in %d responses, as %v\n", t.Operation, t.Pointer, t.Responses, t.Types())
	}
	// Output:
	// drift: GetUser 200 /loyalty_tier: undeclared-property (spec: not declared; got string)
	// GetUser /loyalty_tier seen in 3 responses, as [string]
}
