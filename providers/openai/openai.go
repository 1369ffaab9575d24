// Package openai is the provider for the API types "openai" (the official
// API) and "openai-compatible" (relays: New API, One API, Sub2API and the
// many services that copy OpenAI's wire). Both list models with GET
// /v1/models, probe with chat completions, and check the Codex wire with a
// streamed Responses call (provider-apis.md §1.4, §4; all-api-hub.md §4-5).
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

func init() {
	providers.Register(credential.OpenAICompatible, family{name: credential.OpenAICompatible})
	providers.Register(credential.OpenAI, family{name: credential.OpenAI})
}

// family serves both API types. They differ only in name: official OpenAI
// serves chat completions for every key, so the same probes are honest for
// both, and the Responses wire (what All API Hub's "openai" type and Codex
// speak) is what the codex probe checks, on either type.
type family struct{ name string }

// The probe settings. The text probe asks for one token, like All API
// Hub's "Reply with exactly: OK" but cheaper; a cut reply still proves
// the key and model work. Tools and structured output need room for a
// tool call or a small JSON object.
const (
	textPrompt    = "Reply with exactly: OK"
	textTokens    = 1
	answerTokens  = 64
	toolName      = "verify_tool"
	schemaName    = "verify"
	codexUserText = "hi"
)

// reasoningTokens is the budget a retry with max_completion_tokens gets
// for tools and structured output: only reasoning models (o-series,
// gpt-5) refuse max_tokens, and they spend tokens thinking before they
// answer, so 64 would often end in "length" with no answer at all.
const reasoningTokens = 1024

func (family) Probes() []providers.ProbeKind {
	return []providers.ProbeKind{providers.ProbeText, providers.ProbeTools, providers.ProbeStructured}
}

// SuggestModel picks All API Hub's choice: the first GPT or o-series
// model, else the first model.
func (family) SuggestModel(ids []string) string { return credential.Suggest(credential.FamilyGPT, ids) }

// Models lists the key's models with GET <root>/models. Only when that
// path is not there (404 or 405, not an HTML page, which means a wrong
// base URL) is <base>/models tried once, for bases that already carry
// their API prefix in place of /v1 (…/v1beta/openai, …/openai).
func (family) Models(ctx context.Context, cl *providers.Client, c *credential.Credential) (*providers.ModelList, error) {
	root := credential.APIRoot(c.BaseURL, "v1")
	urls := []string{root + "/models"}
	if alt := strings.TrimRight(c.BaseURL, "/") + "/models"; alt != urls[0] {
		urls = append(urls, alt)
	}
	var first error
	for i, u := range urls {
		resp, err := cl.Do(ctx, c, providers.Request{URL: u, Auth: providers.AuthBearer})
		if err != nil {
			f, ok := providers.AsFailure(err)
			if i == 0 {
				if ok && (f.Status == http.StatusNotFound || f.Status == http.StatusMethodNotAllowed) && len(urls) > 1 {
					first = err
					continue
				}
				return nil, err
			}
			// The fallback is a guess: when it is not there either, the
			// canonical endpoint's failure is the one worth showing.
			if ok && f.Unsupported() {
				return nil, first
			}
			return nil, err
		}
		models, err := parseModels(resp)
		if err != nil {
			return nil, err
		}
		return &providers.ModelList{Models: models, Endpoint: u, Requests: i + 1}, nil
	}
	return nil, first
}

// modelEntry is one entry of a model list: OpenAI's {id, owned_by},
// Anthropic's {id, display_name} as New API and Sub2API serve it, or a bare
// string.
type modelEntry struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	OwnedBy     string `json:"owned_by"`
}

// parseModels reads a {"data":[…]} envelope or a bare array. No models at
// all is a valid answer (a token limited to nothing), not an error.
func parseModels(r *providers.Response) ([]providers.Model, error) {
	body := bytes.TrimSpace(r.Body)
	var raw []json.RawMessage
	if len(body) > 0 && body[0] == '[' {
		if err := providers.DecodeJSON(r, &raw); err != nil {
			return nil, err
		}
	} else {
		var env struct {
			Data *[]json.RawMessage `json:"data"`
		}
		if err := providers.DecodeJSON(r, &env); err != nil {
			return nil, err
		}
		if env.Data == nil {
			if !bytes.Contains(body, []byte(`"data"`)) {
				return nil, &providers.Failure{Class: providers.ClassBadAnswer, Status: r.Status, Endpoint: r.Endpoint,
					Message: "the answer has no model list (no \"data\" array)"}
			}
		} else {
			raw = *env.Data
		}
	}
	out := make([]providers.Model, 0, len(raw))
	seen := map[string]bool{}
	for _, x := range raw {
		var e modelEntry
		if json.Unmarshal(x, &e) != nil {
			if json.Unmarshal(x, &e.ID) != nil {
				continue
			}
		}
		e.ID = strings.TrimPrefix(strings.TrimSpace(e.ID), "models/")
		if e.ID == "" || seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		m := providers.Model{ID: e.ID, OwnedBy: e.OwnedBy}
		if e.DisplayName != e.ID {
			m.DisplayName = e.DisplayName
		}
		out = append(out, m)
	}
	return out, nil
}

// probeFuncs are the probes this package runs; both API types run all of
// them. root is APIRoot(base, "v1").
var probeFuncs = map[providers.ProbeKind]func(ctx context.Context, cl *providers.Client, c *credential.Credential, root, model string) error{
	providers.ProbeText:       probeText,
	providers.ProbeTools:      probeTools,
	providers.ProbeStructured: probeStructured,
	providers.ProbeCodex:      probeCodex,
}

// Probe runs one probe. Text, tools and structured output use chat
// completions; codex uses the Responses API as Codex CLI sends it.
func (f family) Probe(ctx context.Context, cl *providers.Client, c *credential.Credential, kind providers.ProbeKind, model string) error {
	run, ok := probeFuncs[kind]
	if !ok {
		return &providers.Failure{Class: providers.ClassUnsupported, Message: fmt.Sprintf("API type %s has no %s probe", f.name, kind)}
	}
	if model == "" {
		return &providers.Failure{Class: providers.ClassModelNotFound, Message: fmt.Sprintf("no model for the %s probe: the key lists none and the configuration names none", kind)}
	}
	return run(ctx, cl, c, credential.APIRoot(c.BaseURL, "v1"), model)
}

// probeText asks for a one-token reply. It passes on any answer with a
// choices[0]: with one token the reply may be cut ("length"), and that
// still proves the key, the model and the route.
func probeText(ctx context.Context, cl *providers.Client, c *credential.Credential, root, model string) error {
	_, err := chat(ctx, cl, c, root, map[string]any{
		"model":    model,
		"messages": []any{map[string]any{"role": "user", "content": textPrompt}},
	}, textTokens, textTokens)
	return err
}

// chatAnswer is the part of a chat completion the probes read.
type chatAnswer struct {
	Choices []struct {
		Message struct {
			Content   json.RawMessage `json:"content"`
			ToolCalls []struct {
				Type     string `json:"type"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
			// FunctionCall is the pre-tools shape some old relays still send.
			FunctionCall *struct {
				Name string `json:"name"`
			} `json:"function_call"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`

	status   int    // the HTTP status that carried it
	endpoint string // the method and URL that answered
}

// chat POSTs a chat completion with max_tokens = limit. A model that
// refuses max_tokens (official o-series and gpt-5: 400
// unsupported_parameter, which proves the key works) gets one retry with
// max_completion_tokens = retryLimit. The answer must have a choices[0].
func chat(ctx context.Context, cl *providers.Client, c *credential.Credential, root string, body map[string]any, limit, retryLimit int) (*chatAnswer, error) {
	req := providers.Request{Method: http.MethodPost, URL: root + "/chat/completions", Auth: providers.AuthBearer, Body: body}
	body["max_tokens"] = limit
	resp, err := cl.Do(ctx, c, req)
	if f, ok := providers.AsFailure(err); ok && refusesMaxTokens(f) {
		delete(body, "max_tokens")
		body["max_completion_tokens"] = retryLimit
		resp, err = cl.Do(ctx, c, req)
	}
	if err != nil {
		return nil, err
	}
	var a chatAnswer
	if err := providers.DecodeJSON(resp, &a); err != nil {
		return nil, err
	}
	a.status, a.endpoint = resp.Status, resp.Endpoint
	if len(a.Choices) == 0 {
		return nil, &providers.Failure{Class: providers.ClassBadAnswer, Status: resp.Status, Endpoint: resp.Endpoint, Message: "the answer has no choices"}
	}
	return &a, nil
}

// refusesMaxTokens reports whether a failure is the 400 that asks for
// max_completion_tokens instead of max_tokens.
func refusesMaxTokens(f *providers.Failure) bool {
	if f.Status != http.StatusBadRequest {
		return false
	}
	t := strings.ToLower(f.Code + " " + f.Message)
	return strings.Contains(t, "max_tokens") && strings.Contains(t, "unsupported")
}

// probeTools forces a call of an argument-less tool and passes when that
// call comes back.
func probeTools(ctx context.Context, cl *providers.Client, c *credential.Credential, root, model string) error {
	a, err := chat(ctx, cl, c, root, map[string]any{
		"model":    model,
		"messages": []any{map[string]any{"role": "user", "content": "Call the verify_tool tool."}},
		"tools": []any{map[string]any{"type": "function", "function": map[string]any{
			"name":        toolName,
			"description": "Confirms that tool calling works. Takes no arguments.",
			"parameters":  map[string]any{"type": "object", "properties": map[string]any{}},
		}}},
		"tool_choice": map[string]any{"type": "function", "function": map[string]any{"name": toolName}},
	}, answerTokens, reasoningTokens)
	if err != nil {
		return err
	}
	msg := a.Choices[0].Message
	for _, tc := range msg.ToolCalls {
		if tc.Function.Name == toolName {
			return nil
		}
	}
	if msg.FunctionCall != nil && msg.FunctionCall.Name == toolName {
		return nil
	}
	return &providers.Failure{Class: providers.ClassBadAnswer, Status: a.status, Endpoint: a.endpoint,
		Message: fmt.Sprintf("the model did not call %s although tool_choice forced it (finish_reason %q)", toolName, a.Choices[0].FinishReason)}
}

// probeStructured asks for a JSON object under a strict schema and passes
// when the reply parses with ok == true.
func probeStructured(ctx context.Context, cl *providers.Client, c *credential.Credential, root, model string) error {
	a, err := chat(ctx, cl, c, root, map[string]any{
		"model":    model,
		"messages": []any{map[string]any{"role": "user", "content": `Answer with a JSON object whose field "ok" is true.`}},
		"response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{
			"name":   schemaName,
			"strict": true,
			"schema": map[string]any{
				"type":                 "object",
				"properties":           map[string]any{"ok": map[string]any{"type": "boolean"}},
				"required":             []string{"ok"},
				"additionalProperties": false,
			},
		}},
	}, answerTokens, reasoningTokens)
	if err != nil {
		return err
	}
	text := contentText(a.Choices[0].Message.Content)
	var v struct {
		OK *bool `json:"ok"`
	}
	if json.Unmarshal([]byte(stripFence(text)), &v) != nil || v.OK == nil || !*v.OK {
		return &providers.Failure{Class: providers.ClassBadAnswer, Status: a.status, Endpoint: a.endpoint,
			Message: fmt.Sprintf("the reply is not the JSON the schema asks for ({\"ok\":true}): %q", shorten(text, 120))}
	}
	return nil
}

// contentText reads a message content: a string, or an array of text parts.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) == nil {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(p.Text)
		}
		return b.String()
	}
	return ""
}

// stripFence removes a ```json fence some relays' models wrap JSON in.
func stripFence(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "```"); ok {
		rest = strings.TrimPrefix(rest, "json")
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "```"))
	}
	return s
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// probeCodex sends exactly what Codex CLI sends to <base_url>/responses:
// streamed, not stored, with instructions and an input list, and without
// max_output_tokens, which ChatGPT-account relays refuse. It passes when
// the stream reaches response.completed.
func probeCodex(ctx context.Context, cl *providers.Client, c *credential.Credential, root, model string) error {
	resp, err := cl.Do(ctx, c, providers.Request{
		Method: http.MethodPost,
		URL:    root + "/responses",
		Auth:   providers.AuthBearer,
		Header: http.Header{"Accept": {"text/event-stream"}},
		Body: map[string]any{
			"model":        model,
			"instructions": "",
			"input":        []any{map[string]any{"role": "user", "content": codexUserText}},
			"stream":       true,
			"store":        false,
		},
	})
	if err != nil {
		return err
	}
	return readCodexStream(resp)
}

// readCodexStream walks a Responses event stream until response.completed.
// A response.failed or response.incomplete event, or an error event (which
// relays also send as a bare data line), fails the probe.
func readCodexStream(resp *providers.Response) error {
	events := providers.SSE(resp.Body)
	fail := func(class providers.Class, msg string) error {
		return &providers.Failure{Class: class, Status: resp.Status, Endpoint: resp.Endpoint, Message: msg}
	}
	if len(events) == 0 {
		return fail(providers.ClassBadAnswer, "the answer is not an event stream, so Codex cannot read it")
	}
	for _, e := range events {
		var d struct {
			Type     string `json:"type"`
			Response struct {
				Error             json.RawMessage `json:"error"`
				IncompleteDetails *struct {
					Reason string `json:"reason"`
				} `json:"incomplete_details"`
			} `json:"response"`
		}
		_ = json.Unmarshal([]byte(e.Data), &d)
		typ := e.Name
		if typ == "" {
			typ = d.Type
		}
		switch typ {
		case "response.completed":
			return nil
		case "response.failed":
			return failedResponse(resp, d.Response.Error)
		case "response.incomplete":
			reason := "no reason given"
			if d.Response.IncompleteDetails != nil && d.Response.IncompleteDetails.Reason != "" {
				reason = d.Response.IncompleteDetails.Reason
			}
			return fail(providers.ClassBadAnswer, "the response ended incomplete: "+reason)
		}
		if f := providers.StreamError(resp, []providers.Event{e}); f != nil {
			return f
		}
	}
	return fail(providers.ClassBadAnswer, "stream ended without response.completed")
}

// failedResponse classifies the error of a response.failed event. The
// stream had begun, so the key was accepted: an error no rule knows is the
// server's (OpenAI's own code for it is server_error).
func failedResponse(resp *providers.Response, raw json.RawMessage) error {
	body, _ := json.Marshal(map[string]json.RawMessage{"error": raw})
	f := providers.Classify(http.StatusOK, "application/json", body)
	if f == nil {
		f = &providers.Failure{Message: "the response failed without saying why"}
	}
	if f.Class == providers.ClassBadAnswer || f.Class == "" {
		f.Class = providers.ClassServer
	}
	f.Status, f.Endpoint = resp.Status, resp.Endpoint
	return f
}
