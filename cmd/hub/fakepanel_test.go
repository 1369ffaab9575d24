package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubctl/hub/targets/newapichannels/fakepanel"
)

// fakepanels are the scripts' running fake New API panels, by name
// (scripts run in parallel: under fakepanelsMu).
var (
	fakepanelsMu sync.Mutex
	fakepanels   = map[*testscript.TestScript]map[string]*fakepanel.Server{}
)

// panelNames returns the names of the panels the script started.
func panelNames(ts *testscript.TestScript) []string {
	fakepanelsMu.Lock()
	defer fakepanelsMu.Unlock()
	var out []string
	for n := range fakepanels[ts] {
		out = append(out, n)
	}
	return out
}

// fakepanel start NAME: starts a fake New API panel (targets/newapichannels/
// fakepanel) on 127.0.0.1 with a root user (id 1, token $NAME_ROOT_TOKEN),
// an ordinary admin (id 2, $NAME_ADMIN_TOKEN) and one channel of the
// user's own ("mine"); sets $NAME_URL.
//
// fakepanel list NAME: prints each channel, one line, in id order, its key
// shown only as "key=sha256:" and 8 hex digits of its hash.
//
// fakepanel edit NAME ID field=value...: changes a channel as the panel's
// user would (models, priority, name, remark, key).
//
// fakepanel failtest NAME CHANNEL MESSAGE...: the channel named CHANNEL's
// test fails with MESSAGE, as when its upstream refuses.
func cmdFakepanel(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: fakepanel start|list|edit|failtest NAME ...")
	}
	name := args[1]
	fakepanelsMu.Lock()
	panels := fakepanels[ts]
	fakepanelsMu.Unlock()
	switch args[0] {
	case "start":
		up := strings.ToUpper(name)
		root, admin := "rootTok"+up+"AbcdefghijklmnopqrstuvW", "adminTok"+up+"AbcdefghijklmnopqrstuV"
		p := fakepanel.New(
			fakepanel.User{ID: 1, Username: "root", Role: fakepanel.RoleRoot, Token: root},
			fakepanel.User{ID: 2, Username: "ops", Role: fakepanel.RoleAdmin, Token: admin},
		)
		p.Add(fakepanel.Channel{Name: "mine", Type: 1, Key: "sk-test-users-own-channel-01", BaseURL: "https://own.example.com", Models: "gpt-4o", Group: "default", Remark: "my own"})
		ts.Defer(p.Close)
		fakepanelsMu.Lock()
		if panels == nil {
			panels = map[string]*fakepanel.Server{}
			fakepanels[ts] = panels
			ts.Defer(func() {
				fakepanelsMu.Lock()
				delete(fakepanels, ts)
				fakepanelsMu.Unlock()
			})
		}
		panels[name] = p
		fakepanelsMu.Unlock()
		ts.Setenv(up+"_URL", p.URL)
		ts.Setenv(up+"_ROOT_TOKEN", root)
		ts.Setenv(up+"_ADMIN_TOKEN", admin)
		return
	}
	fakepanelsMu.Lock()
	p := panels[name]
	fakepanelsMu.Unlock()
	if p == nil {
		ts.Fatalf("fakepanel: no panel %s started", name)
	}
	switch args[0] {
	case "failtest":
		if len(args) < 4 {
			ts.Fatalf("usage: fakepanel failtest NAME CHANNEL MESSAGE...")
		}
		p.TestFailures = map[string]string{args[2]: strings.Join(args[3:], " ")}
	case "list":
		for _, c := range p.Channels() {
			sum := sha256.Sum256([]byte(c.Key))
			fmt.Fprintf(ts.Stdout(), "%d name=%s type=%d base_url=%s models=%s group=%s priority=%d weight=%d tag=%s mapping=%s remark=%q key=sha256:%s\n",
				c.ID, c.Name, c.Type, c.BaseURL, c.Models, c.Group, c.Priority, c.Weight, c.Tag, c.ModelMapping, c.Remark, hex.EncodeToString(sum[:4]))
		}
	case "edit":
		if len(args) < 4 {
			ts.Fatalf("usage: fakepanel edit NAME ID field=value...")
		}
		id, err := strconv.ParseInt(args[2], 10, 64)
		ts.Check(err)
		found := p.Edit(id, func(c *fakepanel.Channel) {
			for _, kv := range args[3:] {
				f, v, _ := strings.Cut(kv, "=")
				switch f {
				case "models":
					c.Models = v
				case "priority":
					c.Priority, _ = strconv.ParseInt(v, 10, 64)
				case "name":
					c.Name = v
				case "remark":
					c.Remark = v
				case "key":
					c.Key = v
				default:
					ts.Fatalf("fakepanel edit: unknown field %q", f)
				}
			}
		})
		if !found {
			ts.Fatalf("fakepanel edit: no channel %d", id)
		}
	default:
		ts.Fatalf("usage: fakepanel start|list|edit|failtest NAME ...")
	}
}
