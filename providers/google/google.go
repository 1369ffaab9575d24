// Package google is the upstream side of credentials whose API type is
// google: the Gemini API (generativelanguage.googleapis.com) and the relays
// that pass its protocol through (New API and Sub2API under /v1beta). It
// lists models, runs the verification probes and the wire check Gemini CLI
// depends on (provider-apis.md §6).
package google

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

func init() { providers.Register(credential.Google, Family{}) }

// Family is the Google (Gemini) API family. The zero value is ready to use.
type Family struct{}

// Limits of a model listing, as All API Hub's: a server that always hands
// out a next page token must not keep hub paging for ever.
const (
	pageSize  = 1000 // the API's maximum
	maxPages  = 20
	maxModels = 2000
)

// Output budgets. The text probe asks for one token: thinking models then
// spend it thinking and answer MAX_TOKENS with no text, which still proves
// the key. A function call or a JSON answer must fit after the thoughts,
// and thinking cannot be switched off on every model (2.5 Pro refuses a
// budget of 0), so those probes leave room for both.
const (
	textMaxTokens = 1
	deepMaxTokens = 1024
)

// keyAuth sends x-goog-api-key (never ?key=, which ends up in logs) first,
// then once Bearer on a 401, remembering bases that take Bearer.
var keyAuth = &providers.BearerFallback{}

// call sends req with the scheme the base URL takes; n is how many requests
// it made.
func call(ctx context.Context, cl *providers.Client, c *credential.Credential, req providers.Request) (resp *providers.Response, n int, err error) {
	req.Auth = providers.AuthGoog
	return keyAuth.Do(ctx, cl, c, req)
}

// Models lists the models that can generate content with GET
// /v1beta/models, paging on nextPageToken (at most 20 pages, 2000 models).
// "models/" is cut from names; models whose supportedGenerationMethods lack
// generateContent (embeddings, AQA) are dropped, those with no methods
// listed kept (relays leave the field out). An empty list is not an error
// here; the caller decides what no models means.
func (Family) Models(ctx context.Context, cl *providers.Client, c *credential.Credential) (*providers.ModelList, error) {
	endpoint := credential.APIRoot(c.BaseURL, "v1beta") + "/models"
	list := &providers.ModelList{Endpoint: endpoint}
	seen := map[string]bool{}
	token := ""
	for page := 0; page < maxPages && len(list.Models) < maxModels; page++ {
		q := url.Values{"pageSize": {fmt.Sprint(pageSize)}}
		if token != "" {
			q.Set("pageToken", token)
		}
		resp, n, err := call(ctx, cl, c, providers.Request{URL: endpoint + "?" + q.Encode()})
		list.Requests += n
		if err != nil {
			return nil, err
		}
		var body struct {
			Models []struct {
				Name        string   `json:"name"`
				DisplayName string   `json:"displayName"`
				Methods     []string `json:"supportedGenerationMethods"`
			} `json:"models"`
			NextPageToken string `json:"nextPageToken"`
		}
		if err := providers.DecodeJSON(resp, &body); err != nil {
			return nil, err
		}
		// Google leaves empty lists out ({}); any other object without
		// models is not a model list.
		if body.Models == nil && !bytes.Equal(bytes.Join(bytes.Fields(resp.Body), nil), []byte("{}")) {
			return nil, &providers.Failure{Class: providers.ClassBadAnswer, Status: resp.Status, Endpoint: resp.Endpoint,
				Message: "the answer has no models list"}
		}
		for _, m := range body.Models {
			id := strings.TrimPrefix(m.Name, "models/")
			if id == "" || seen[id] || len(list.Models) >= maxModels {
				continue
			}
			if len(m.Methods) > 0 && !slices.Contains(m.Methods, "generateContent") {
				continue
			}
			seen[id] = true
			list.Models = append(list.Models, providers.Model{ID: id, DisplayName: m.DisplayName})
		}
		if body.NextPageToken == "" || body.NextPageToken == token {
			break
		}
		token = body.NextPageToken
	}
	return list, nil
}

// SuggestModel returns the first Gemini model, else the first id.
func (Family) SuggestModel(ids []string) string {
	return credential.Suggest(credential.FamilyGemini, ids)
}

// Probes returns the probes of a deep verification, in order.
func (Family) Probes() []providers.ProbeKind {
	return []providers.ProbeKind{providers.ProbeText, providers.ProbeTools, providers.ProbeStructured}
}

// verifyTool is the function the tools probe forces, All API Hub's name.
const verifyTool = "verify_tool"

type answer struct {
	Candidates []struct {
		Content struct {
			Parts []struct {
				Text         string `json:"text"`
				Thought      bool   `json:"thought"`
				FunctionCall *struct {
					Name string          `json:"name"`
					Args json.RawMessage `json:"args"`
				} `json:"functionCall"`
			} `json:"parts"`
		} `json:"content"`
		FinishReason string `json:"finishReason"`
	} `json:"candidates"`
	PromptFeedback *struct {
		BlockReason string `json:"blockReason"`
	} `json:"promptFeedback"`
	UsageMetadata json.RawMessage `json:"usageMetadata"`
}

// Probe runs one probe against models/MODEL:generateContent. text passes on
// any candidate, MAX_TOKENS with no text included; tools on a functionCall
// of verify_tool (mode ANY); structured on JSON text whose ok is true
// (responseMimeType and responseSchema); gemini streams
// :streamGenerateContent?alt=sse as Gemini CLI does and passes on a stream
// of answers with no error in it. Kinds of other families fail as
// unsupported.
func (Family) Probe(ctx context.Context, cl *providers.Client, c *credential.Credential, kind providers.ProbeKind, model string) error {
	root := credential.APIRoot(c.BaseURL, "v1beta") + "/models/"
	switch kind {
	case providers.ProbeText, providers.ProbeTools, providers.ProbeStructured, providers.ProbeGemini:
	default:
		return &providers.Failure{Class: providers.ClassUnsupported, Endpoint: "POST " + root + "{model}:generateContent",
			Message: fmt.Sprintf("the google API family has no %s probe", kind)}
	}
	model = strings.TrimPrefix(model, "models/")
	if model == "" {
		return fmt.Errorf("credential %s: no model to run the %s probe with", c.ID, kind)
	}
	user := func(text string) []map[string]any {
		return []map[string]any{{"role": "user", "parts": []map[string]any{{"text": text}}}}
	}
	gen := map[string]any{"maxOutputTokens": textMaxTokens}
	body := map[string]any{"contents": user("Reply with exactly: OK"), "generationConfig": gen}
	target := root + url.PathEscape(model) + ":generateContent"
	req := providers.Request{Method: http.MethodPost, Body: body}
	switch kind {
	case providers.ProbeTools:
		gen["maxOutputTokens"] = deepMaxTokens
		body["contents"] = user("Call the verify_tool function.")
		// No parameters at all: Gemini refuses an OBJECT schema with no
		// properties ("should be non-empty for OBJECT type").
		body["tools"] = []map[string]any{{"functionDeclarations": []map[string]any{{"name": verifyTool,
			"description": "Confirms that function calling works."}}}}
		body["toolConfig"] = map[string]any{"functionCallingConfig": map[string]any{"mode": "ANY", "allowedFunctionNames": []string{verifyTool}}}
	case providers.ProbeStructured:
		gen["maxOutputTokens"] = deepMaxTokens
		gen["responseMimeType"] = "application/json"
		gen["responseSchema"] = map[string]any{"type": "OBJECT", "properties": map[string]any{"ok": map[string]any{"type": "BOOLEAN"}},
			"required": []string{"ok"}}
		body["contents"] = user(`Answer with a JSON object whose "ok" is true.`)
	case providers.ProbeGemini:
		target = root + url.PathEscape(model) + ":streamGenerateContent?alt=sse"
		req.Header = http.Header{"Accept": {"text/event-stream"}}
	}
	req.URL = target
	resp, _, err := call(ctx, cl, c, req)
	if err != nil {
		return err
	}
	bad := func(format string, a ...any) error {
		return &providers.Failure{Class: providers.ClassBadAnswer, Status: resp.Status, Endpoint: resp.Endpoint, Message: fmt.Sprintf(format, a...)}
	}
	if kind == providers.ProbeGemini {
		events := providers.SSE(resp.Body)
		if f := providers.StreamError(resp, events); f != nil {
			return f
		}
		chunks := 0
		for _, e := range events {
			var a answer
			if json.Unmarshal([]byte(e.Data), &a) == nil && (len(a.Candidates) > 0 || a.UsageMetadata != nil) {
				chunks++
			}
		}
		if chunks == 0 {
			return bad("the stream holds no generateContent answer (%d events)", len(events))
		}
		return nil
	}
	var a answer
	if err := providers.DecodeJSON(resp, &a); err != nil {
		return err
	}
	if len(a.Candidates) == 0 {
		if a.PromptFeedback != nil && a.PromptFeedback.BlockReason != "" {
			return bad("the prompt was blocked (%s)", a.PromptFeedback.BlockReason)
		}
		return bad("the answer has no candidates")
	}
	cand := a.Candidates[0]
	switch kind {
	case providers.ProbeTools:
		for _, p := range cand.Content.Parts {
			if p.FunctionCall != nil && p.FunctionCall.Name == verifyTool {
				return nil
			}
		}
		return bad("no functionCall of %s in the answer (finishReason %s)", verifyTool, orNone(cand.FinishReason))
	case providers.ProbeStructured:
		var text strings.Builder
		for _, p := range cand.Content.Parts {
			if !p.Thought {
				text.WriteString(p.Text)
			}
		}
		var out struct {
			OK *bool `json:"ok"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(text.String())), &out); err != nil || out.OK == nil || !*out.OK {
			return bad("the answer is not {\"ok\": true} (finishReason %s): %s", orNone(cand.FinishReason), shorten(text.String(), 80))
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// shorten cuts s to n runes, for quoting an answer in a message.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
