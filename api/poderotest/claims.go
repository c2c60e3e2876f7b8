package poderotest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/internal/specserver"
)

// claimTokenLifetime is how long a wallbox claim token can be claimed
// after it is minted. Podero does not document it; expires_at says it.
const claimTokenLifetime = time.Hour

// claim is a wallbox claim token minted for a user.
type claim struct {
	owner   string
	expires time.Time
	wallbox string // the claimed wallbox's id; "" until claimed
}

// mintClaimToken answers POST .../wallboxes/claim-tokens: a one-time token
// for the user, 201.
func (s *Server) mintClaimToken(user *record) specserver.Response {
	token := randomText()
	c := &claim{owner: user.id(), expires: s.now().Add(claimTokenLifetime)}
	s.claims[token] = c
	return answer(http.StatusCreated, map[string]any{"token": token, "wss_url": s.ocppURL(), "expires_at": timestamp(c.expires)})
}

// ocppURL is the wss_url of claim tokens: where a charger would open its
// OCPP WebSocket. The fake does not speak OCPP; nothing answers there.
func (s *Server) ocppURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/ocpp" }

// claimStatus answers GET /device-onboarding/{onboarding_session_id}/
// wallbox-claim-tokens/{token}/status: whether the token was claimed. A
// token unknown, or minted for another user than the session's, is 404.
func (s *Server) claimStatus(session *record, token string) specserver.Response {
	c := s.claims[token]
	if c == nil || c.owner != session.owner {
		return notFound
	}
	out := map[string]any{"claimed": false, "wallbox_id": nil, "manufacturer": nil, "model": nil, "firmware_version": nil}
	if wb := s.records[c.wallbox]; wb != nil {
		model, _ := wb.obj["device_model"].(map[string]any)
		out["claimed"], out["wallbox_id"], out["firmware_version"] = true, wb.id(), "poderotest-1.0"
		out["manufacturer"], out["model"] = model["manufacturer"], model["model"]
	}
	return answer(http.StatusOK, out)
}

// ClaimWallbox does what a charger does when it connects to Podero with a
// claim token minted by POST .../wallboxes/claim-tokens: a connected
// wallbox appears for the token's user, and the token's status
// (GET /device-onboarding/{onboarding_session_id}/wallbox-claim-tokens/
// {token}/status, for an onboarding session of that user) reads claimed,
// with its wallbox_id. It returns the wallbox's id; claiming a token again
// returns the same wallbox. A token is claimable for an hour after it is
// minted, on the fake's clock (its expires_at); an unknown or expired
// token is an error. The status of an expired, unclaimed token reads
// claimed false.
func (s *Server) ClaimWallbox(token string) (openapi_types.UUID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.claims[token]
	switch {
	case c == nil:
		return openapi_types.UUID{}, fmt.Errorf("poderotest: no wallbox claim token %q", token)
	case c.wallbox != "":
		return parseID(c.wallbox), nil
	case !s.now().Before(c.expires):
		return openapi_types.UUID{}, fmt.Errorf("poderotest: the wallbox claim token expired at %s", timestamp(c.expires))
	}
	dev := s.create(kindNamed(string(Wallbox)), c.owner, nil)
	s.authenticate(dev, nil)
	c.wallbox = dev.id()
	return parseID(dev.id()), nil
}
