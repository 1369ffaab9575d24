package fakerelay

// The Anthropic wire: GET /v1/models (paged, Anthropic flavor only) and
// POST /v1/messages, which the official API and the relays that speak
// Claude's protocol serve (provider-apis.md §1.1, §1.8, §3.1, §5).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func init() {
	addRoutes(func(s *Server, mux *http.ServeMux) {
		if s.Flavor == Anthropic {
			mux.HandleFunc("GET /v1/models", s.antModels)
		}
		switch s.Flavor {
		case Anthropic, NewAPI, OldNewAPI, Sub2API:
			mux.HandleFunc("POST /v1/messages", s.antMessages)
		}
	})
}

// antCreatedAt is the created_at the fake gives every Claude model.
const antCreatedAt = "2025-02-19T00:00:00Z"

// antKey reads and checks the key of an Anthropic-wire route; false when it
// answered. The official API also insists on anthropic-version, after the
// key: a request without it is refused whatever it asks.
func (s *Server) antKey(w http.ResponseWriter, r *http.Request, quota bool) (*Key, bool) {
	k, present := s.lookup(r)
	if s.keyError(w, r, k, present) {
		return nil, false
	}
	if s.Flavor == Anthropic && r.Header.Get("anthropic-version") == "" {
		anthropicError(w, http.StatusBadRequest, "invalid_request_error", "anthropic-version: header is required")
		return nil, false
	}
	if quota && s.exhausted(w, k) {
		return nil, false
	}
	return k, true
}

// antModels answers the official GET /v1/models: pages of at most
// min(limit, s.PageSize) models after after_id, with first_id, last_id and
// has_more. Listing does not spend credit, so an exhausted key lists fine.
func (s *Server) antModels(w http.ResponseWriter, r *http.Request) {
	k, ok := s.antKey(w, r, false)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			anthropicError(w, http.StatusBadRequest, "invalid_request_error", "limit: Input should be less than or equal to 1000")
			return
		}
		limit = n
	}
	if s.PageSize > 0 {
		limit = min(limit, s.PageSize)
	}
	start := 0
	if after := q.Get("after_id"); after != "" {
		start = -1
		for i, id := range k.Models {
			if id == after {
				start = i + 1
			}
		}
		if start < 0 {
			anthropicError(w, http.StatusBadRequest, "invalid_request_error", "after_id: no model with this id")
			return
		}
	}
	end := min(start+limit, len(k.Models))
	data := []map[string]any{}
	for _, id := range k.Models[start:end] {
		data = append(data, map[string]any{"type": "model", "id": id, "display_name": antDisplayName(id), "created_at": antCreatedAt})
	}
	var first, last any
	if len(data) > 0 {
		first, last = data[0]["id"], data[len(data)-1]["id"]
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "first_id": first, "last_id": last, "has_more": end < len(k.Models)})
}

// antDisplayName turns claude-sonnet-4-5-20250929 into "Claude Sonnet 4 5".
func antDisplayName(id string) string {
	var words []string
	for _, w := range strings.Split(id, "-") {
		if len(w) == 8 && strings.Trim(w, "0123456789") == "" {
			continue
		}
		words = append(words, strings.ToUpper(w[:1])+w[1:])
	}
	return strings.Join(words, " ")
}

type antRequest struct {
	Model     string            `json:"model"`
	MaxTokens *int              `json:"max_tokens"`
	Messages  []json.RawMessage `json:"messages"`
	Stream    bool              `json:"stream"`
	Tools     []struct {
		Name        string         `json:"name"`
		InputSchema map[string]any `json:"input_schema"`
	} `json:"tools"`
	ToolChoice *struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"tool_choice"`
}

// antMessages answers POST /v1/messages: "OK" as text, a tool_use block
// when tool_choice forces a tool (its input filled from input_schema, so a
// required boolean is true), streamed as Claude's SSE events when asked.
// Errors past the key check are Claude-shaped on every flavor, as the relay
// controllers of New API and Sub2API write them; a key with FaultStreamError
// gets a 200 stream that ends in an error event.
func (s *Server) antMessages(w http.ResponseWriter, r *http.Request) {
	k, ok := s.antKey(w, r, true)
	if !ok {
		return
	}
	var req antRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		anthropicError(w, http.StatusBadRequest, "invalid_request_error", "The request body is not valid JSON.")
		return
	}
	switch {
	case req.Model == "":
		anthropicError(w, http.StatusBadRequest, "invalid_request_error", "model: Field required")
		return
	case req.MaxTokens == nil:
		anthropicError(w, http.StatusBadRequest, "invalid_request_error", "max_tokens: Field required")
		return
	case *req.MaxTokens < 1:
		anthropicError(w, http.StatusBadRequest, "invalid_request_error", "max_tokens: Input should be greater than or equal to 1")
		return
	case len(req.Messages) == 0:
		anthropicError(w, http.StatusBadRequest, "invalid_request_error", "messages: at least one message is required")
		return
	}
	if k.Fault == FaultModelNotFound || !k.hasModel(req.Model) {
		switch s.Flavor {
		case NewAPI, OldNewAPI:
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"type": "error", "error": map[string]any{"type": "new_api_error",
				"message": fmt.Sprintf("No available channel for model %s under group default (distributor) (request id: 20261130000000000000002)", req.Model)}})
		default:
			anthropicError(w, http.StatusNotFound, "not_found_error", "model: "+req.Model)
		}
		return
	}

	block := map[string]any{"type": "text", "text": "OK"}
	stop := "end_turn"
	if *req.MaxTokens <= 1 {
		stop = "max_tokens"
	}
	if tool := antForced(req); tool >= 0 {
		t := req.Tools[tool]
		block = map[string]any{"type": "tool_use", "id": "toolu_fake01", "name": t.Name, "input": schemaValue(t.InputSchema)}
		stop = "tool_use"
	}
	usage := map[string]any{"input_tokens": 12, "output_tokens": 1}
	msg := map[string]any{"id": "msg_fake01", "type": "message", "role": "assistant", "model": req.Model,
		"content": []any{block}, "stop_reason": stop, "stop_sequence": nil, "usage": usage}
	if !req.Stream {
		writeJSON(w, http.StatusOK, msg)
		return
	}

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	event := func(name string, data map[string]any) {
		data["type"] = name
		b, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	start := map[string]any{}
	for f, v := range msg {
		start[f] = v
	}
	start["content"], start["stop_reason"] = []any{}, nil
	event("message_start", map[string]any{"message": start})
	if k.Fault == FaultStreamError {
		event("error", map[string]any{"error": map[string]any{"type": "overloaded_error", "message": "Overloaded"}})
		return
	}
	opening := map[string]any{"type": "text", "text": ""}
	delta := map[string]any{"type": "text_delta", "text": "OK"}
	if block["type"] == "tool_use" {
		opening = map[string]any{"type": "tool_use", "id": block["id"], "name": block["name"], "input": map[string]any{}}
		in, _ := json.Marshal(block["input"])
		delta = map[string]any{"type": "input_json_delta", "partial_json": string(in)}
	}
	event("content_block_start", map[string]any{"index": 0, "content_block": opening})
	event("ping", map[string]any{})
	event("content_block_delta", map[string]any{"index": 0, "delta": delta})
	event("content_block_stop", map[string]any{"index": 0})
	event("message_delta", map[string]any{"delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": 1}})
	event("message_stop", map[string]any{})
}

// antForced returns the index of the tool tool_choice forces ("tool" names
// it, "any" takes the first), or -1.
func antForced(req antRequest) int {
	if req.ToolChoice == nil || len(req.Tools) == 0 {
		return -1
	}
	switch req.ToolChoice.Type {
	case "any":
		return 0
	case "tool":
		for i, t := range req.Tools {
			if t.Name == req.ToolChoice.Name {
				return i
			}
		}
	}
	return -1
}

// schemaValue makes the value a model would give for a JSON schema (in
// Anthropic's lower-case or Gemini's upper-case type names): each required
// property filled, true for booleans, so {ok: boolean} gives {"ok":true}.
func schemaValue(schema map[string]any) any {
	switch strings.ToLower(fmt.Sprint(schema["type"])) {
	case "boolean":
		return true
	case "string":
		return "OK"
	case "integer", "number":
		return 1
	case "array":
		return []any{}
	}
	out := map[string]any{}
	props, _ := schema["properties"].(map[string]any)
	req, _ := schema["required"].([]any)
	for _, name := range req {
		n, _ := name.(string)
		if p, ok := props[n].(map[string]any); ok {
			out[n] = schemaValue(p)
		}
	}
	return out
}
