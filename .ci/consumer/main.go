// Command podero-consumer counts the users of a Podero organization. It
// stands for a service that imports the SDK; see .ci/consumer-check.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/podero-go/podero/api"
)

func main() {
	org, err := api.ParseUUID(os.Getenv("PODERO_ORG_ID"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := api.New(api.Config{
		BaseURL:      api.SandboxBaseURL,
		OrgID:        org,
		ClientID:     os.Getenv("PODERO_CLIENT_ID"),
		ClientSecret: os.Getenv("PODERO_CLIENT_SECRET"),
	})
	if err != nil {
		log.Fatal(err)
	}
	n, err := countUsers(context.Background(), client)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "users")
}

func countUsers(ctx context.Context, c *api.PartnerClient) (int, error) {
	users, err := c.ListUsers(ctx, api.ListUsersParams{})
	return len(users), err
}
