package oauth_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/google/uuid"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/oauth"
)

// Wire a token source into the generated client: every request gets
// "Authorization: Bearer <token>", and one cached token serves all of them.
func ExampleRequestEditor() {
	ts, err := oauth.NewTokenSource(oauth.Config{
		ClientID:     os.Getenv("PODERO_CLIENT_ID"),
		ClientSecret: os.Getenv("PODERO_CLIENT_SECRET"),
		// TokenURL defaults to oauth.ProductionTokenURL; use
		// oauth.SandboxTokenURL with api.SandboxBaseURL.
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := raw.NewClientWithResponses(api.ProductionBaseURL,
		raw.WithRequestEditorFn(oauth.RequestEditor(ts)))
	if err != nil {
		log.Fatal(err)
	}

	orgID := uuid.MustParse(os.Getenv("PODERO_ORG_ID"))
	resp, err := client.ListUsersWithResponse(context.Background(), orgID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status())
}

// Use the token endpoint that the OpenAPI description declares instead of
// the one the guides document, with the RFC 6749 form encoding.
func ExampleNewTokenSource_specEndpoint() {
	ts, err := oauth.NewTokenSource(oauth.Config{
		ClientID:     os.Getenv("PODERO_CLIENT_ID"),
		ClientSecret: os.Getenv("PODERO_CLIENT_SECRET"),
		TokenURL:     oauth.SpecTokenPath, // relative: resolved against BaseURL
		BaseURL:      api.ProductionBaseURL,
		Encoding:     oauth.EncodingForm,
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := raw.NewClientWithResponses(api.ProductionBaseURL,
		raw.WithRequestEditorFn(oauth.RequestEditor(ts)))
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}
