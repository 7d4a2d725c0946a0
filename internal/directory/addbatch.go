package directory

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Concurrent adds of one user to a group are combined: each waits in a
// queue, and one of them at a time (or a few, see WithAddBatching), the
// leader, adds up to maxAddBatch of the queued pairs of one tenant in one
// store transaction, with their change log rows, and answers each once
// that transaction is durable. The adds that arrive meanwhile form the
// next batch, so a lone add waits for nothing and a busy server makes one
// commit per batch instead of one per request. A pair the batch did not
// add (a duplicate, an unknown user or group, a group named as a user) and
// every pair of a batch that failed take the full path of their own,
// which names the reason exactly as without batching; a batch adds only
// what that path would have added, and audit and notifications read the
// same change log rows.
const maxAddBatch = 256

// errNoBatchAdd says the store's Tx cannot add many user members at once.
var errNoBatchAdd = errors.New("store cannot add user members in one statement")

// addBatcher is the queue of waiting adds; nil in a Service means no
// batching.
type addBatcher struct {
	mu      sync.Mutex
	queue   []*addReq // waiting for a leader
	leaders int       // batches running
	max     int       // batches that may run at once
}

// addReq is one add. Its leader sets its outcome and then sends on wake;
// or wakes it with lead set to make it the next leader.
type addReq struct {
	ctx    context.Context
	tenant TenantID
	pair   GroupUser
	added  bool // committed and durable
	err    error
	lead   bool
	wake   chan struct{}
}

// WithAddBatching sets how many batches of concurrent single-user member
// adds may run at once; 0 turns batching off. The default is 1.
func WithAddBatching(batches int) Option {
	return func(s *Service) {
		s.adds = nil
		if batches > 0 {
			s.adds = &addBatcher{max: batches}
		}
	}
}

// batchAddable reports whether an AddMembers call may join a batch.
func (s *Service) batchAddable(ctx context.Context, groupKey string, refs []MemberRef) (GroupUser, bool) {
	if s.adds == nil {
		return GroupUser{}, false
	}
	return singleUserAdd(ctx, groupKey, refs)
}

// addBatched adds p through a batch. done false (and no error) means
// nothing was added for this call and the full path must run.
func (s *Service) addBatched(ctx context.Context, tenant TenantID, p GroupUser) (done bool, err error) {
	r := &addReq{ctx: ctx, tenant: tenant, pair: p, wake: make(chan struct{}, 1)}
	b := s.adds
	b.mu.Lock()
	if b.leaders < b.max {
		// The queue is empty: a leader that ends hands over to the
		// oldest waiting add rather than leave one behind.
		b.leaders++
		b.mu.Unlock()
		s.leadAddBatch(b, r)
	} else {
		b.queue = append(b.queue, r)
		b.mu.Unlock()
		<-r.wake
		if r.lead {
			s.leadAddBatch(b, r)
		}
	}
	return r.added, r.err
}

// leadAddBatch runs a batch of self and the oldest adds waiting, then
// hands the lead to the oldest add still waiting.
func (s *Service) leadAddBatch(b *addBatcher, self *addReq) {
	b.mu.Lock()
	batch := b.takeBatch(self)
	b.mu.Unlock()
	defer func() {
		// Also on a panic: nobody may wait for an answer that never comes.
		for _, r := range batch[1:] {
			r.wake <- struct{}{}
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.queue) == 0 {
			b.leaders--
			return
		}
		next := b.queue[0]
		b.queue[0] = nil
		b.queue = b.queue[1:]
		next.lead = true
		next.wake <- struct{}{}
	}()
	s.runAddBatch(batch)
}

// takeBatch returns self and the oldest waiting adds of its tenant, up to
// maxAddBatch, each pair once, and leaves the others waiting in order.
// Called with b.mu held.
func (b *addBatcher) takeBatch(self *addReq) []*addReq {
	seen := map[GroupUser]bool{self.pair: true}
	batch := []*addReq{self}
	rest := b.queue[:0]
	for _, r := range b.queue {
		if len(batch) < maxAddBatch && r.tenant == self.tenant && !seen[r.pair] {
			seen[r.pair] = true
			batch = append(batch, r)
			continue
		}
		rest = append(rest, r)
	}
	clear(b.queue[len(rest):])
	b.queue = rest
	return batch
}

// runAddBatch adds the pairs of batch in one transaction and records each
// outcome. It runs in the leader's goroutine; the context of the
// transaction is the leader's without its cancellation, as the others
// wait for it too.
func (s *Service) runAddBatch(batch []*addReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx := context.WithoutCancel(live[0].ctx)
	tenant := live[0].tenant
	pairs := make([]GroupUser, len(live))
	for i, r := range live {
		pairs[i] = r.pair
	}
	var added []bool
	var rows []Change
	err := s.updateLogged(ctx, func(tx Tx) ([]Change, error) {
		added, rows = nil, nil
		a, ok := tx.(UserMemberAdder)
		if !ok {
			return nil, errNoBatchAdd
		}
		var err error
		if added, err = a.AddUserMembers(ctx, tenant, pairs); err != nil {
			return nil, err
		}
		if len(added) != len(pairs) {
			return nil, fmt.Errorf("add user members: %d answers for %d pairs", len(added), len(pairs))
		}
		at := s.clock()
		for i, r := range live {
			if added[i] {
				log := &changeLog{caller: CallerFrom(r.ctx), tenant: tenant, at: at}
				log.relate(r.pair.Group, OpMemberAdded, MemberRef{ID: r.pair.User, Kind: KindUser})
				rows = append(rows, log.rows...)
			}
		}
		return rows, nil
	})
	s.afterUpdate(rows)
	if err != nil {
		// Nothing of the batch is acknowledged: each add takes the full
		// path, which tells what it finds then.
		return
	}
	for i, r := range live {
		r.added = added[i]
	}
}
