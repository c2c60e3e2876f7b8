package api_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/podero-go/podero/api"
)

// podero is the loopback Partner API the examples run on: the few
// operations they call, answered from memory with what they read. It checks
// nothing against the spec. In your own tests use api/poderotest, which
// plays all of Podero and checks every request and answer against the
// pinned spec; these examples do not, because api's tests must not import
// kin-openapi, which poderotest needs (issue 24: a service's go mod tidy
// reads the tests of the packages it imports).
type podero struct {
	*httptest.Server
	org api.UUID

	mu       sync.Mutex
	users    map[api.UUID]map[string]any
	cars     map[api.UUID]*car
	sessions map[api.UUID]map[string]any // onboarding sessions
	fail     []int                       // statuses for the next API requests
}

type car struct {
	charging, reauth bool
	sessions         int // charging sessions, an hour apart, the last ending now
}

// fake starts podero and returns it with a client for it.
func fake() (*podero, *api.PartnerClient) {
	p := &podero{org: uuid.New(), users: map[api.UUID]map[string]any{}, cars: map[api.UUID]*car{},
		sessions: map[api.UUID]map[string]any{}}
	const v2 = "/api/partners/v2.0"
	const user = v2 + "/org/{org}/users"
	const ev = user + "/{user}/electric-vehicles/{ev}"
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token/", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"access_token": "example-token-0123456789", "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("POST "+user, p.api(func(r *http.Request) (int, any) {
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return 422, map[string]any{"detail": err.Error()}
		}
		u := map[string]any{"id": uuid.New(), "organization_id": p.org, "role": in["role"], "email": in["email"],
			"external_user_id": in["external_user_id"], "num_inverters": 0, "num_heat_pumps": 0,
			"num_electric_vehicles": 0, "num_wallboxes": 0}
		p.users[u["id"].(api.UUID)] = u
		return 200, u
	}))
	mux.HandleFunc("GET "+user, p.api(func(r *http.Request) (int, any) {
		list := []any{}
		for _, u := range p.users {
			list = append(list, u)
		}
		return 200, list
	}))
	mux.HandleFunc("GET "+user+"/by-ext-id/{ext}", p.api(func(r *http.Request) (int, any) {
		for _, u := range p.users {
			if u["external_user_id"] == r.PathValue("ext") {
				return 200, u
			}
		}
		return 404, map[string]any{"detail": "Not Found"}
	}))
	mux.HandleFunc("GET "+ev, p.api(func(r *http.Request) (int, any) {
		id, c := p.car(r)
		if c == nil {
			return 404, map[string]any{"detail": "Not Found"}
		}
		actions, status := []any{}, "ok"
		if c.reauth {
			actions, status = []any{map[string]any{"code": "reauthenticate"}}, "error"
		}
		return 200, map[string]any{"id": id, "device_model": map[string]any{"manufacturer": "Renault", "model": "Zoe"},
			"battery_level": 60, "is_plugged_in": true, "is_charging": c.charging, "is_authenticated": !c.reauth,
			"action_needed": c.reauth, "actions": actions, "connection_status": status, "monitoring_status": status,
			"steering_status": status}
	}))
	mux.HandleFunc("POST "+ev+"/boost", p.api(func(r *http.Request) (int, any) {
		if _, c := p.car(r); c == nil || c.charging {
			return 409, map[string]any{"state": "unavailable", "reason": "already_charging"}
		}
		return 204, nil
	}))
	mux.HandleFunc("GET "+ev+"/sessions", p.api(func(r *http.Request) (int, any) {
		_, c := p.car(r)
		if c == nil {
			return 404, map[string]any{"detail": "Not Found"}
		}
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		items := []any{}
		for i := offset; i < c.sessions && len(items) < limit; i++ {
			end := time.Now().Add(-time.Duration(i) * time.Hour).UTC().Truncate(time.Second)
			items = append(items, map[string]any{"id": uuid.New(), "energy_charged_kwh": 24,
				"plug_in_time": end.Add(-50 * time.Minute), "unplug_time": end})
		}
		return 200, map[string]any{"total": c.sessions, "items": items}
	}))
	mux.HandleFunc("POST "+v2+"/device-onboarding", p.api(func(r *http.Request) (int, any) {
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return 422, map[string]any{"detail": err.Error()}
		}
		id := uuid.New()
		s := map[string]any{"id": id, "authentication_url": p.URL + "/connect/" + id.String(), "user": in["user_id"],
			"success_url": in["success_url"], "cancel_url": in["cancel_url"], "object_id": nil,
			"price_zone_default": in["price_zone_default"], "device_type": in["device_type"]}
		p.sessions[id] = s
		return 200, s
	}))
	mux.HandleFunc("GET "+v2+"/device-onboarding/{id}", p.api(func(r *http.Request) (int, any) {
		if s := p.sessions[uuid.MustParse(r.PathValue("id"))]; s != nil {
			return 200, s
		}
		return 404, map[string]any{"detail": "Not Found"}
	}))
	// Podero's Connect UI, where the end user connects a car: here at once.
	mux.HandleFunc("GET /connect/{id}", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if s := p.sessions[uuid.MustParse(r.PathValue("id"))]; s != nil {
			s["object_id"] = p.addCarLocked()
		}
		w.Write([]byte("connected"))
	})
	p.Server = httptest.NewServer(mux)
	c, err := api.New(api.Config{BaseURL: p.URL, OrgID: p.org, ClientID: "example", ClientSecret: "example-secret-0123456789"})
	if err != nil {
		log.Fatal(err)
	}
	return p, c
}

// api is an operation's handler: it answers the next queued failure if
// there is one, or what f returns, with p locked.
func (p *podero) api(f func(r *http.Request) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.fail) > 0 {
			status := p.fail[0]
			p.fail = p.fail[1:]
			reply(w, status, map[string]any{"detail": http.StatusText(status)})
			return
		}
		status, body := f(r)
		reply(w, status, body)
	}
}

func reply(w http.ResponseWriter, status int, body any) {
	if body == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func (p *podero) car(r *http.Request) (api.UUID, *car) {
	id, err := uuid.Parse(r.PathValue("ev"))
	if err != nil {
		return id, nil
	}
	return id, p.cars[id]
}

func (p *podero) addCarLocked() api.UUID {
	id := uuid.New()
	p.cars[id] = &car{}
	return id
}

// The end user's car and what it does, as a finished onboarding and the
// car itself would make it.

func (p *podero) addCar() api.UUID {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addCarLocked()
}

func (p *podero) update(id api.UUID, f func(*car)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.cars[id]; c != nil {
		f(c)
	} else {
		panic(fmt.Sprintf("no car %s", id))
	}
}

func (p *podero) setCharging(id api.UUID, on bool) { p.update(id, func(c *car) { c.charging = on }) }

func (p *podero) requireReauthentication(id api.UUID) { p.update(id, func(c *car) { c.reauth = true }) }

func (p *podero) addSessions(id api.UUID, n int) { p.update(id, func(c *car) { c.sessions += n }) }

// failNext answers the next API request with status.
func (p *podero) failNext(status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = append(p.fail, status)
}
