package poderotest

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/internal/specserver"
)

// session is a charging session of an electric vehicle or a HEMS session
// of a wallbox.
type session struct {
	start time.Time      // plug-in or start time: what from and to filter on
	item  map[string]any // the list item: a SessionItem or HEMSSessionItem
}

// sessionKind is how a kind of device keeps sessions: the path segment of
// its session operations and how to build one. Electric vehicles and
// wallboxes share everything else.
type sessionKind struct {
	segment string // "sessions", "hems-sessions"
	// item builds the list item of a session begun at start and ended at
	// end, or still running when end is zero.
	item func(s *Server, start, end time.Time) map[string]any
	// detail is what the by-id operation answers for an item, and the
	// current operation in its "session" field.
	detail func(item map[string]any) map[string]any
	// byID: the kind has a …/{session_id} operation (integer ids).
	byID bool
}

var (
	evSessions = &sessionKind{segment: "sessions", item: (*Server).evSession,
		detail: func(item map[string]any) map[string]any { return item }}
	hemsSessions = &sessionKind{segment: "hems-sessions", item: (*Server).hemsSession, byID: true,
		detail: func(item map[string]any) map[string]any {
			return map[string]any{"session": item, "decisions": []any{}, "commands": []any{}}
		}}
)

// AddSessions records n finished charging sessions for an electric vehicle,
// for ListElectricVehicleSessions to page through: one an hour, each
// plugged in an hour before the previous, starting from the vehicle's oldest
// session, or from the fake's clock's now when it has none. Sessions list
// newest first and are filtered by the UTC day of their plug-in time. Each
// charged 24 kWh (40 to 80 %) in 50 minutes, at home, and carries the
// same cost and savings: actual_cost_eur [SessionCostEUR],
// expected_savings_eur [SessionExpectedSavingsEUR] and actual_savings_eur
// [SessionSavingsEUR].
func (s *Server) AddSessions(vehicleID openapi_types.UUID, n int) error {
	return s.addSessions(vehicleID, ElectricVehicle, n)
}

// AddHEMSSessions records n finished HEMS sessions for a wallbox, for
// ListWallboxHEMSSessions (and ListWallboxHEMSSessionsIter) to page through
// and GetWallboxHEMSSession to read: as [Server.AddSessions] does for a
// vehicle, by start time. Their ids are integers, unique in the server,
// increasing as they are added. Each took 6.5 kWh from solar and saved
// savings_eur [HEMSSessionSavingsEUR]. A session's detail has no decisions
// or commands.
func (s *Server) AddHEMSSessions(wallboxID openapi_types.UUID, n int) error {
	return s.addSessions(wallboxID, Wallbox, n)
}

func (s *Server) addSessions(id openapi_types.UUID, dt DeviceType, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := kindNamed(string(dt))
	dev := s.records[id.String()]
	if dev == nil || dev.kind != k {
		return fmt.Errorf("poderotest: no %s %s", strings.ToLower(k.deviceType["long_name"].(string)), id)
	}
	if n < 0 {
		return fmt.Errorf("poderotest: %d sessions", n)
	}
	from := s.now().Truncate(time.Minute)
	if len(dev.sessions) > 0 {
		from = dev.sessions[len(dev.sessions)-1].start
	}
	for i := range n {
		start := from.Add(-time.Duration(i+1) * time.Hour)
		dev.sessions = append(dev.sessions, session{start: start, item: k.sessions.item(s, start, start.Add(50*time.Minute))})
	}
	return nil
}

// The money of a finished session, in EUR, the same for each so that a test
// can sum a month's: a vehicle's session charges 24 kWh at 0.25 EUR/kWh and
// saves 1.25 EUR (1.50 expected); a wallbox's HEMS session saves 1.20 EUR.
const (
	SessionCostEUR            = 6.0
	SessionExpectedSavingsEUR = 1.5
	SessionSavingsEUR         = 1.25
	HEMSSessionSavingsEUR     = 1.2
)

// evSession is a SessionItem.
func (s *Server) evSession(start, end time.Time) map[string]any {
	item, _ := specserver.Blank(s.schema("SessionItem")).(map[string]any)
	item["id"], item["plug_in_time"] = newID(), timestamp(start)
	if !end.IsZero() {
		maps.Copy(item, map[string]any{"unplug_time": timestamp(end),
			"initial_soc_pct": 40.0, "final_soc_pct": 80.0, "target_soc_pct": 80.0, "energy_charged_kwh": 24.0, "is_at_home": true,
			"actual_cost_eur": SessionCostEUR, "expected_savings_eur": SessionExpectedSavingsEUR, "actual_savings_eur": SessionSavingsEUR})
	}
	return item
}

// hemsSession is a HEMSSessionItem.
func (s *Server) hemsSession(start, end time.Time) map[string]any {
	item, _ := specserver.Blank(s.schema("HEMSSessionItem")).(map[string]any)
	s.hemsSeq++
	item["id"], item["ocpp_transaction_id"], item["started_at"] = s.hemsSeq, s.hemsSeq, timestamp(start)
	if !end.IsZero() {
		maps.Copy(item, map[string]any{"ended_at": timestamp(end), "energy_from_solar_kwh": 6.5, "savings_eur": HEMSSessionSavingsEUR,
			"has_complete_price_coverage": true, "commands_sent": 0, "commands_applied": 0, "commands_ineffective": 0})
	}
	return item
}

// startSession starts the current session of a device that began charging
// at start.
func (s *Server) startSession(dev *record, start time.Time) {
	if dev.kind.sessions == nil {
		return
	}
	start = start.Truncate(time.Second)
	dev.current = &session{start: start, item: dev.kind.sessions.item(s, start, time.Time{})}
}

// sessions answers the session operations of a device: the list (…/sessions,
// …/hems-sessions), the current session and, for HEMS, one by id. It
// returns false for other paths.
func (s *Server) sessions(x *exchange, dev *record) (specserver.Response, bool) {
	k := dev.kind.sessions
	switch {
	case k == nil:
		return specserver.Response{}, false
	case x.last(1) == k.segment:
		return listSessions(dev.sessions, x.r.URL.Query()), true
	case x.last(2) != k.segment:
		return specserver.Response{}, false
	case x.last(1) == "current":
		var current any // {"session": null} when not charging
		if cur := dev.current; cur != nil {
			current = k.detail(clone(cur.item).(map[string]any))
		}
		return answer(http.StatusOK, map[string]any{"session": current}), true
	case x.last(1) == "{session_id}" && k.byID:
		id, err := strconv.Atoi(x.params["session_id"])
		all := dev.sessions
		if dev.current != nil {
			all = append([]session{*dev.current}, all...)
		}
		for _, ss := range all {
			if err == nil && ss.item["id"] == id {
				return answer(http.StatusOK, k.detail(clone(ss.item).(map[string]any))), true
			}
		}
		return notFound, true
	}
	return specserver.Response{}, false
}

// listSessions answers a session list: the sessions whose start falls on a
// UTC day in [from, to], newest first, limit of them from offset on.
func listSessions(sessions []session, q url.Values) specserver.Response {
	from, _ := time.Parse(time.DateOnly, q.Get("from")) // required and checked by the Validator
	to, _ := time.Parse(time.DateOnly, q.Get("to"))
	items := []any{}
	for _, ss := range sessions {
		if day := ss.start.UTC().Truncate(24 * time.Hour); !day.Before(from) && !day.After(to) {
			items = append(items, ss.item)
		}
	}
	page := paginate(items, queryInt(q, "offset", 0), queryInt(q, "limit", 50)) // the spec's defaults
	return answer(http.StatusOK, map[string]any{"total": len(items), "items": clone(page)})
}

// paginate returns the page of items of at most limit from offset on,
// empty past the end, for any offset and limit (MaxInt included).
func paginate[T any](items []T, offset, limit int) []T {
	start := min(max(offset, 0), len(items))
	return items[start : start+min(max(limit, 0), len(items)-start)]
}

// queryInt reads an integer query parameter the Validator has checked, or
// def when it is absent. A value too large for an int reads as MaxInt.
func queryInt(q url.Values, name string, def int) int {
	v := q.Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	switch {
	case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-"):
		return math.MaxInt
	case err != nil:
		return def
	}
	return n
}
