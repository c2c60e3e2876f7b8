package otel_test

import (
	"log"
	"os"

	"github.com/podero-go/podero/api"
	poderootel "github.com/podero-go/podero/otel"
)

// A client whose calls are traced and measured with the global tracer and
// meter providers (set them up with the OpenTelemetry SDK first).
func ExampleMiddleware() {
	client, err := api.New(api.Config{
		ClientID:     os.Getenv("PODERO_CLIENT_ID"),
		ClientSecret: os.Getenv("PODERO_CLIENT_SECRET"),
		Middleware:   []api.Middleware{poderootel.Middleware()},
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}
