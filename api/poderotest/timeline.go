package poderotest

import (
	"container/heap"
	"time"
)

// The fake's timeline: what is due to happen at a time on its clock (a
// boost starting, a device's refresh, an end user reconnecting). Nothing
// runs in the background: tick, which every request and every Server
// method calls first, does what is due by the clock's now, in time order,
// each at its own time. So a fleet of any size costs nothing while nobody
// asks, and a simulation on a fast clock sees exactly what a slow one
// would.

// due is something scheduled on the timeline.
type due struct {
	at   time.Time
	seq  int // ties: in the order scheduled
	what dueKind
	rec  *record // the device or user it concerns; nil for the organization
	gen  int     // the device's process generation it was scheduled in
}

type dueKind uint8

const (
	dueBoost       dueKind = iota + 1 // a requested boost starts (or fails)
	dueRefresh                        // the change process refreshes a device
	dueReconnect                      // the end user reconnects a device that needs attention
	dueOnboarding                     // an existing user onboards a new device
	dueNewUser                        // a new user joins
	dueFirstDevice                    // a new user onboards their first device
)

type timeline []*due

func (t timeline) Len() int { return len(t) }
func (t timeline) Less(i, j int) bool {
	if !t[i].at.Equal(t[j].at) {
		return t[i].at.Before(t[j].at)
	}
	return t[i].seq < t[j].seq
}
func (t timeline) Swap(i, j int) { t[i], t[j] = t[j], t[i] }
func (t *timeline) Push(x any)   { *t = append(*t, x.(*due)) }
func (t *timeline) Pop() any {
	old := *t
	d := old[len(old)-1]
	*t = old[:len(old)-1]
	return d
}

// schedule puts d on the timeline. s.mu must be held.
func (s *Server) schedule(d *due) {
	s.dueSeq++
	d.seq = s.dueSeq
	heap.Push(&s.timeline, d)
}

// tick does what is due by the fake's clock's now, in time order. s.mu
// must be held.
func (s *Server) tick() {
	now := s.now()
	for len(s.timeline) > 0 && !s.timeline[0].at.After(now) {
		d := heap.Pop(&s.timeline).(*due)
		switch d.what {
		case dueBoost:
			s.startBoost(d.rec, d.at)
		default:
			s.process(d)
		}
	}
}
