package watch

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// deliverPoll is how often the delivery loop asks the store for events
// when nothing woke it (a commit of the replica's own, a handler done):
// retries coming due, events of a replica that died.
const deliverPoll = 5 * time.Second

// ackTimeout bounds the acknowledgement of an event handled as the Run
// context ended.
const ackTimeout = 5 * time.Second

// deliver hands the stored events to h until ctx ends: at least once, each
// to one replica at a time, acknowledged when h returns nil, retried with
// backoff otherwise, never dropped.
func (w *Watcher) deliver(ctx context.Context, h Handler) {
	slots := make(chan struct{}, w.o.HandlerConcurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		free := cap(slots) - len(slots)
		var events []StoredEvent
		if free > 0 {
			now := w.now()
			var err error
			events, err = w.o.Store.ClaimEvents(ctx, EventClaim{Replica: w.o.Replica, Now: now,
				Until: now.Add(w.o.HandlerTimeout + w.o.LeasePeriod), Max: free})
			if err != nil && ctx.Err() == nil {
				w.o.Logger.Warn("watch: claim events", "err", err)
			}
		}
		for _, se := range events {
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots; signal(w.wakeSend) }()
				w.handle(ctx, h, se)
			})
		}
		// All that was due is out (or every slot is taken): wait for a
		// commit, a handler to finish, or the poll.
		w.sleep(ctx, deliverPoll, w.wakeSend)
	}
}

// handle calls h with one event and acknowledges it, or releases it for a
// retry.
func (w *Watcher) handle(ctx context.Context, h Handler, se StoredEvent) {
	ev, err := decodeEvent(se.Data)
	if err == nil {
		hctx, cancel := context.WithTimeout(ctx, w.o.HandlerTimeout)
		err = call(hctx, h, ev)
		cancel()
	}
	now := w.now()
	if err == nil {
		// Handled: acknowledge it even if ctx ended meanwhile (a graceful
		// shutdown), or the next run delivers it again; briefly, so that
		// a store that does not answer does not hold up the shutdown.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
		defer cancel()
		if aerr := w.o.Store.Ack(actx, w.o.Replica, []string{se.ID}, now); aerr != nil {
			w.o.Logger.Warn("watch: acknowledge an event; it will be delivered again", "event", se.ID, "err", aerr)
			return
		}
		w.mu.Lock()
		w.stats.Delivered++
		w.mu.Unlock()
		return
	}
	if ctx.Err() != nil {
		return // ended mid-handling: the claim runs out, and it is handed out again
	}
	w.mu.Lock()
	w.stats.HandlerErrors++
	w.mu.Unlock()
	retry := handlerBackoff(se.Attempts + 1)
	w.o.Logger.Warn("watch: the handler failed; the event is retried", "event", se.ID, "attempt", se.Attempts+1, "retry_in", retry, "err", err)
	if rerr := w.o.Store.Retry(ctx, w.o.Replica, se.ID, now.Add(retry)); rerr != nil {
		w.o.Logger.Warn("watch: release an event for a retry", "event", se.ID, "err", rerr)
	}
}

// call calls h, turning a panic into an error.
func call(ctx context.Context, h Handler, ev Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("watch: the handler panicked: %v", p)
		}
	}()
	return h(ctx, ev)
}

// handlerBackoff is the wait before the n-th retry of an event: 1 s,
// doubling, up to 5 minutes, jittered.
func handlerBackoff(n int) time.Duration {
	d := time.Second << min(n-1, 9)
	return jitter(min(d, 5*time.Minute))
}
