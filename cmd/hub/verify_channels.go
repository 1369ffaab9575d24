package main

import (
	"slices"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/views"
)

// verifyChannels is hub verify --channels: every target that keeps
// credentials where they can be tested in place (a New API panel's
// channels) has the selected credentials tested there. Nothing changes.
func (a *app) verifyChannels(cfg *config.Config, sel []*config.Credential, asJSON bool) error {
	view := views.NewChannelTests(a.view(), asJSON)
	total, failed := 0, 0
	for _, t := range cfg.Targets {
		tester, ok := t.Impl.(targets.Tester)
		if !ok {
			continue
		}
		in := &targets.Input{Address: t.Address()}
		for _, c := range t.Input.Credentials {
			if slices.Contains(sel, c) {
				in.Credentials = append(in.Credentials, c)
			}
		}
		if len(in.Credentials) == 0 {
			continue
		}
		res, err := tester.Test(a.ctx, in)
		if err != nil {
			a.errorf("%s: %v", t.Address(), err)
			failed++
			continue
		}
		for _, r := range res {
			total++
			if !r.OK {
				failed++
			}
			view.Tested(t.Address(), r)
		}
	}
	if total == 0 && failed == 0 {
		a.warnf("no target keeps the selected credentials where they can be tested (a newapi_channels block's channels)")
		return nil
	}
	view.Done(total, failed)
	if failed > 0 {
		return reported(1)
	}
	return nil
}
