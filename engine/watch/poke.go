package watch

import "context"

// A Poker is a Source that also carries pokes from hub itself: a telemetry
// refresh that found other models sends RefreshedModels into the loop.
type Poker struct {
	Source
	ctx    context.Context
	events chan string
}

// NewPoker wraps src until ctx ends.
func NewPoker(ctx context.Context, src Source) *Poker {
	p := &Poker{Source: src, ctx: ctx, events: make(chan string)}
	go func() {
		defer close(p.events)
		for e := range src.Events() {
			select {
			case p.events <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return p
}

// Events implements Source.
func (p *Poker) Events() <-chan string { return p.events }

// Poke sends the refreshed-models change into the loop.
func (p *Poker) Poke() {
	select {
	case p.events <- RefreshedModels:
	case <-p.ctx.Done():
	}
}

var _ Source = (*Poker)(nil)
