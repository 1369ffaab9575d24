// Package browser starts the headless Chromium hub's page tests and
// benchmark drive (hub report), through the DevTools protocol (chromedp),
// and records every request a page makes, so a test can say that none
// left it.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned by Find when no Chromium is installed.
var ErrNoChromium = errors.New("no Chromium: install Debian's chromium package (make deps does), or set HUB_CHROMIUM to a Chromium or Chrome binary")

// Find returns the browser to drive: $HUB_CHROMIUM, else the first of
// chromium, chromium-browser and google-chrome on the PATH.
func Find() (string, error) {
	if p := os.Getenv("HUB_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("HUB_CHROMIUM: %w", err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// A Browser is one headless Chromium with one tab.
type Browser struct {
	// Ctx runs chromedp actions in the tab.
	Ctx    context.Context
	cancel []context.CancelFunc

	mu       sync.Mutex
	requests []string
}

// Start launches Chromium at path, headless, with a fresh profile and a
// window of width×height, and opens a tab. Close stops it.
func Start(ctx context.Context, path string, width, height int) (*Browser, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(width, height),
		// Root (as CI runs) cannot use Chromium's sandbox; the pages are
		// our own, opened from files.
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	tctx, tcancel := chromedp.NewContext(actx)
	b := &Browser{Ctx: tctx, cancel: []context.CancelFunc{tcancel, acancel}}
	if _, err := chromedp.Call(tctx, network.Enable, network.EnableParams{}); err != nil {
		b.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	err := chromedp.Listen(tctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.mu.Lock()
			b.requests = append(b.requests, e.Request.URL)
			b.mu.Unlock()
		}
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	return b, nil
}

// Requests returns the URLs of every request the tab made, in order.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// Close stops the browser.
func (b *Browser) Close() {
	for _, c := range b.cancel {
		c()
	}
}
