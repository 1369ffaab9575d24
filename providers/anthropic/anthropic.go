// Package anthropic is the upstream side of credentials whose API type is
// anthropic: Anthropic's own API and the relays that speak its messages
// protocol (New API, Sub2API, ...). It lists models, runs the verification
// probes and the wire check Claude Code depends on (provider-apis.md §5).
package anthropic

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

func init() { providers.Register(credential.Anthropic, Family{}) }

// Family is the Anthropic API family. The zero value is ready to use.
type Family struct{}

// Limits of a model listing, as All API Hub's: a relay that always answers
// has_more must not keep hub paging for ever.
const (
	pageLimit = 200
	maxPages  = 20
	maxModels = 2000
)

// Probe budgets. The text probe needs one token; a forced tool call needs
// room for the tool_use block, or it is cut off at max_tokens.
const (
	textMaxTokens = 1
	toolMaxTokens = 128
)

// keyAuth sends x-api-key (with anthropic-version) first, then once Bearer on
// a 401, remembering bases that take Bearer; Claude Code sends
// anthropic-version with its auth token too.
var keyAuth = &providers.BearerFallback{Adjust: func(r *providers.Request) {
	r.Header.Set("anthropic-version", providers.AnthropicVersion)
}}

// call sends req with the scheme the base URL takes; n is how many requests
// it made.
func call(ctx context.Context, cl *providers.Client, c *credential.Credential, req providers.Request) (resp *providers.Response, n int, err error) {
	req.Auth = providers.AuthXAPIKey
	return keyAuth.Do(ctx, cl, c, req)
}

// Models lists the key's models with GET /v1/models, paging on has_more and
// last_id (at most 20 pages of 200, 2000 models). Relays that answer an
// OpenAI-shaped list ({"object":"list","data":[{"id"}]}) are read too. An
// empty list is not an error here; the caller decides what no models means.
func (Family) Models(ctx context.Context, cl *providers.Client, c *credential.Credential) (*providers.ModelList, error) {
	endpoint := credential.APIRoot(c.BaseURL, "v1") + "/models"
	list := &providers.ModelList{Endpoint: endpoint}
	seen := map[string]bool{}
	after := ""
	for page := 0; page < maxPages && len(list.Models) < maxModels; page++ {
		q := url.Values{"limit": {fmt.Sprint(pageLimit)}}
		if after != "" {
			q.Set("after_id", after)
		}
		resp, n, err := call(ctx, cl, c, providers.Request{URL: endpoint + "?" + q.Encode()})
		list.Requests += n
		if err != nil {
			return nil, err
		}
		var body struct {
			Data []struct {
				ID          string `json:"id"`
				DisplayName string `json:"display_name"`
				OwnedBy     string `json:"owned_by"`
			} `json:"data"`
			HasMore bool   `json:"has_more"`
			LastID  string `json:"last_id"`
		}
		if err := providers.DecodeJSON(resp, &body); err != nil {
			return nil, err
		}
		if body.Data == nil {
			return nil, &providers.Failure{Class: providers.ClassBadAnswer, Status: resp.Status, Endpoint: resp.Endpoint,
				Message: "the answer has no data list of models"}
		}
		for _, m := range body.Data {
			if m.ID == "" || seen[m.ID] || len(list.Models) >= maxModels {
				continue
			}
			seen[m.ID] = true
			list.Models = append(list.Models, providers.Model{ID: m.ID, DisplayName: m.DisplayName, OwnedBy: m.OwnedBy})
		}
		if !body.HasMore || body.LastID == "" || body.LastID == after {
			break
		}
		after = body.LastID
	}
	return list, nil
}

// SuggestModel returns the first Claude model, else the first id.
func (Family) SuggestModel(ids []string) string {
	return credential.Suggest(credential.FamilyClaude, ids)
}

// Probes returns the probes of a deep verification, in order.
func (Family) Probes() []providers.ProbeKind {
	return []providers.ProbeKind{providers.ProbeText, providers.ProbeTools, providers.ProbeStructured}
}

// The probes' tools. verifyTool is All API Hub's; jsonTool carries the
// structured answer: Claude has no JSON mode, so SDKs (the AI SDK's
// generateObject among them) force a tool whose input_schema is the wanted
// schema and read the tool input as the object.
const (
	verifyTool = "verify_tool"
	jsonTool   = "json"
)

type message struct {
	Type    string `json:"type"`
	Content []struct {
		Type  string          `json:"type"`
		Text  string          `json:"text"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	} `json:"content"`
	StopReason string `json:"stop_reason"`
}

// Probe runs one probe against POST /v1/messages. text passes on any
// message answer (one token may stop at max_tokens); tools on a tool_use of
// verify_tool; structured on a forced json tool whose input has ok true;
// claude streams as Claude Code does and passes on message_stop. Kinds of
// other families fail as unsupported.
func (Family) Probe(ctx context.Context, cl *providers.Client, c *credential.Credential, kind providers.ProbeKind, model string) error {
	endpoint := credential.APIRoot(c.BaseURL, "v1") + "/messages"
	switch kind {
	case providers.ProbeText, providers.ProbeTools, providers.ProbeStructured, providers.ProbeClaude:
	default:
		return &providers.Failure{Class: providers.ClassUnsupported, Endpoint: "POST " + endpoint,
			Message: fmt.Sprintf("the anthropic API family has no %s probe", kind)}
	}
	if model == "" {
		return fmt.Errorf("credential %s: no model to run the %s probe with", c.ID, kind)
	}
	user := func(text string) []map[string]any {
		return []map[string]any{{"role": "user", "content": text}}
	}
	body := map[string]any{"model": model, "max_tokens": textMaxTokens, "messages": user("Reply with exactly: OK")}
	req := providers.Request{Method: http.MethodPost, URL: endpoint, Body: body}
	switch kind {
	case providers.ProbeTools:
		body["max_tokens"] = toolMaxTokens
		body["messages"] = user("Call the verify_tool tool.")
		body["tools"] = []map[string]any{{"name": verifyTool, "description": "Confirms that tool calling works.",
			"input_schema": map[string]any{"type": "object", "properties": map[string]any{}}}}
		body["tool_choice"] = map[string]any{"type": "tool", "name": verifyTool}
	case providers.ProbeStructured:
		body["max_tokens"] = toolMaxTokens
		body["messages"] = user(`Answer with a JSON object whose "ok" is true.`)
		body["tools"] = []map[string]any{{"name": jsonTool, "description": "Respond with a JSON object.",
			"input_schema": map[string]any{"type": "object", "properties": map[string]any{"ok": map[string]any{"type": "boolean"}},
				"required": []string{"ok"}}}}
		body["tool_choice"] = map[string]any{"type": "tool", "name": jsonTool}
	case providers.ProbeClaude:
		body["stream"] = true
		req.Header = http.Header{"Accept": {"text/event-stream"}}
	}
	resp, _, err := call(ctx, cl, c, req)
	if err != nil {
		return err
	}
	bad := func(format string, a ...any) error {
		return &providers.Failure{Class: providers.ClassBadAnswer, Status: resp.Status, Endpoint: resp.Endpoint, Message: fmt.Sprintf(format, a...)}
	}
	if kind == providers.ProbeClaude {
		events := providers.SSE(resp.Body)
		if f := providers.StreamError(resp, events); f != nil {
			return f
		}
		for _, e := range events {
			if e.Name == "message_stop" {
				return nil
			}
		}
		return bad("the stream ended without message_stop (%d events)", len(events))
	}
	var m message
	if err := providers.DecodeJSON(resp, &m); err != nil {
		return err
	}
	if m.Type != "message" {
		return bad("the answer is not a message (type %q)", m.Type)
	}
	switch kind {
	case providers.ProbeTools, providers.ProbeStructured:
		want := map[providers.ProbeKind]string{providers.ProbeTools: verifyTool, providers.ProbeStructured: jsonTool}[kind]
		for _, b := range m.Content {
			if b.Type != "tool_use" || b.Name != want {
				continue
			}
			if kind == providers.ProbeTools {
				return nil
			}
			var in struct {
				OK *bool `json:"ok"`
			}
			if json.Unmarshal(b.Input, &in) != nil || in.OK == nil || !*in.OK {
				return bad("the %s tool input is not {\"ok\": true}: %s", jsonTool, shorten(string(b.Input), 80))
			}
			return nil
		}
		return bad("no tool_use of %s in the answer (stop_reason %q, blocks %s)", want, m.StopReason, blockTypes(m))
	}
	return nil
}

func blockTypes(m message) string {
	var t []string
	for _, b := range m.Content {
		t = append(t, b.Type)
	}
	if len(t) == 0 {
		return "none"
	}
	return strings.Join(t, ", ")
}

// shorten cuts s to n runes, for quoting an answer in a message.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
