package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/podero-go/podero/api"
)

// shiftingList is a Podero whose EV sessions list (newest first) a test
// changes after a number of pages have been served, as other writers do
// between a client's page requests.
type shiftingList struct {
	mu       sync.Mutex
	sessions []session
	total    int // the total the server reports; -1: len(sessions)
	pages    int // pages served
	// change runs once, after the page of that number was served.
	changeAfter int
	change      func(l *shiftingList)
	nextID      int
}

type session struct {
	ID  string  `json:"id"`
	KWh float64 `json:"energy_charged_kwh"`
}

func (l *shiftingList) add(n int) []session {
	out := make([]session, n)
	for i := range out {
		l.nextID++
		out[i] = session{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", l.nextID), KWh: float64(l.nextID)}
	}
	return out
}

func newShiftingList(n int) *shiftingList {
	l := &shiftingList{total: -1}
	l.sessions = l.add(n)
	return l
}

func (l *shiftingList) sum() (s float64) {
	for _, x := range l.sessions {
		s += x.KWh
	}
	return s
}

func (l *shiftingList) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth2/token/" {
		issueToken(w, r)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	total := l.total
	if total < 0 {
		total = len(l.sessions)
	}
	page := []session{}
	if offset < len(l.sessions) {
		page = l.sessions[offset:min(offset+limit, len(l.sessions))]
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"items": page, "total": total})
	l.pages++
	if l.pages == l.changeAfter && l.change != nil {
		l.change(l)
	}
}

// sumMonth is the README's "sum a month of sessions", as written there.
func sumMonth(ctx context.Context, client *api.PartnerClient, userID, evID api.UUID, params api.ListElectricVehicleSessionsParams) (float64, error) {
	var kWh float64
	for session, err := range client.ListElectricVehicleSessionsIter(ctx, userID, evID, params) {
		if err != nil {
			return 0, err
		}
		kWh += session.GetEnergyChargedKwh()
	}
	return kWh, nil
}

// The iterators cannot make offset paging exact, but they do not end
// quietly with a wrong walk: a total that changes between pages, an empty
// page before the total, and an item seen twice are each an error that
// api.IsListChanged recognises. The README's sum of a month of sessions
// is either right or an error.
func TestIteratorDetectsAListThatChanged(t *testing.T) {
	limit := 10
	params := api.ListElectricVehicleSessionsParams{Limit: &limit}
	for _, tc := range []struct {
		name    string
		n       int
		after   int // pages served before the change
		change  func(l *shiftingList)
		changed bool
	}{
		{"unchanged", 30, 0, nil, false},
		{"drops seen items", 30, 1, func(l *shiftingList) { l.sessions = l.sessions[5:] }, true},
		{"grows at its head", 30, 1, func(l *shiftingList) { l.sessions = append(l.add(5), l.sessions...) }, true},
		{"total runs dry", 30, 0, func(l *shiftingList) { l.total = 100 }, true},
		{"one in at the head, one out at the tail", 30, 1, func(l *shiftingList) {
			l.sessions = append(l.add(1), l.sessions[:len(l.sessions)-1]...) // the same total, shifted by one
		}, true},
		{"one out at the head, one in at the tail", 30, 1, func(l *shiftingList) {
			l.sessions = append(l.sessions[1:], l.add(1)...) // the same total, shifted back by one: one item skipped
		}, true},
		{"an item replaced before the anchor", 30, 1, func(l *shiftingList) {
			l.sessions = append(append(append([]session(nil), l.sessions[:3]...), l.add(1)...), l.sessions[4:]...)
		}, false}, // no item that stayed is skipped or repeated: the walk is right for them
		{"changes after the last page", 30, 3, func(l *shiftingList) { l.sessions = l.sessions[5:] }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newShiftingList(tc.n)
			want := l.sum()
			l.changeAfter, l.change = tc.after, tc.change
			if tc.after == 0 && tc.change != nil {
				tc.change(l)
			}
			srv := lineServer(t, issueToken, l.ServeHTTP)
			c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: leakID, ClientID: "c", ClientSecret: "line-secret-0123"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := sumMonth(context.Background(), c, leakID, leakID, params)
			switch {
			case tc.changed && !api.IsListChanged(err):
				t.Errorf("sum %v, err %v; want an error api.IsListChanged recognises", got, err)
			case !tc.changed && (err != nil || got != want):
				t.Errorf("sum %v, err %v; want %v", got, err, want)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Errorf("%d characters: %v", len(err.Error()), err)
			}
		})
	}
}

// api.Collect walks again from the start when the list changed, up to the
// restarts it is given, and returns the items of one walk that saw no
// change.
func TestCollectRestartsAChangedWalk(t *testing.T) {
	for _, restarts := range []int{0, 1} {
		l := newShiftingList(25)
		l.changeAfter, l.change = 1, func(l *shiftingList) { l.sessions = append(l.add(3), l.sessions...) }
		srv := lineServer(t, issueToken, l.ServeHTTP)
		c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: leakID, ClientID: "c", ClientSecret: "line-secret-0123"})
		if err != nil {
			t.Fatal(err)
		}
		limit := 10
		items, err := api.Collect(func() iter.Seq2[*api.SessionItem, error] {
			return c.ListElectricVehicleSessionsIter(context.Background(), leakID, leakID, api.ListElectricVehicleSessionsParams{Limit: &limit})
		}, restarts)
		switch {
		case restarts == 0 && (!api.IsListChanged(err) || items != nil):
			t.Errorf("no restarts: %d items, %v; want the change", len(items), err)
		case restarts == 1 && (err != nil || len(items) != 28):
			t.Errorf("one restart: %d items, %v; want the 28 of the second walk", len(items), err)
		}
	}
}
