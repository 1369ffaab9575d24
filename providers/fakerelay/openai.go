package fakerelay

// The OpenAI-shaped relay routes: GET /v1/models (and /v1/models/{model} on
// New API), POST /v1/chat/completions and POST /v1/responses, for the
// flavors that serve them (provider-apis.md §1.4, §1.8, §2, §3.2, §4).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
)

func init() {
	addRoutes(func(s *Server, mux *http.ServeMux) {
		switch s.Flavor {
		case NewAPI, OldNewAPI, OneAPI, Sub2API, OpenAI:
			mux.HandleFunc("GET /v1/models", s.oaiModels)
		}
		if s.Flavor == NewAPI {
			mux.HandleFunc("GET /v1/models/{model}", s.oaiModel)
		}
		switch s.Flavor {
		case NewAPI, OldNewAPI, OneAPI, OpenAI:
			mux.HandleFunc("POST /v1/chat/completions", s.oaiChat)
		}
		switch s.Flavor {
		case NewAPI, Sub2API, OpenAI:
			mux.HandleFunc("POST /v1/responses", s.oaiResponses)
		}
	})
}

// oaiCreated is the "created" New API gives every model (it has no real date).
const oaiCreated = 1626777600

// sub2DefaultModels is Sub2API's fixed /v1/models answer for a Claude group:
// it ignores what the key may use, so it proves only that the key is known.
var sub2DefaultModels = []string{"claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"}

// oaiOwner guesses owned_by from a model id, as relays fill it in.
func oaiOwner(id string) string {
	switch {
	case strings.HasPrefix(id, "claude"):
		return "anthropic"
	case strings.HasPrefix(id, "gemini"):
		return "google"
	}
	return "openai"
}

// oaiKey reads and checks the key of a relay route; false when it answered.
func (s *Server) oaiKey(w http.ResponseWriter, r *http.Request, quota bool) (*Key, bool) {
	k, present := s.lookup(r)
	if s.keyError(w, r, k, present) {
		return nil, false
	}
	if quota && s.exhausted(w, k) {
		return nil, false
	}
	return k, true
}

// oaiModels answers GET /v1/models in each flavor's shape. Official OpenAI
// lists models even for an account out of credit, so only relays, whose
// token check runs on every route, answer an exhausted key with an error.
func (s *Server) oaiModels(w http.ResponseWriter, r *http.Request) {
	k, ok := s.oaiKey(w, r, s.Flavor != OpenAI)
	if !ok {
		return
	}
	var data []map[string]any
	switch s.Flavor {
	case NewAPI, OldNewAPI:
		if s.Flavor == NewAPI && r.Header.Get("x-api-key") != "" && r.Header.Get("anthropic-version") != "" {
			s.oaiAnthropicModels(w, k.Models)
			return
		}
		for _, id := range k.Models {
			data = append(data, map[string]any{"id": id, "object": "model", "created": oaiCreated, "owned_by": oaiOwner(id),
				"supported_endpoint_types": []string{"openai"}})
		}
		body := map[string]any{"success": true, "data": nonNil(data)}
		if s.Flavor == NewAPI {
			body["object"] = "list"
		}
		writeJSON(w, http.StatusOK, body)
		return
	case OneAPI:
		for _, id := range k.Models {
			data = append(data, map[string]any{"id": id, "object": "model", "created": oaiCreated, "owned_by": oaiOwner(id),
				"root": id, "parent": nil, "permission": []any{map[string]any{"id": "modelperm-fake", "object": "model_permission",
					"created": oaiCreated, "allow_create_engine": true, "allow_sampling": true, "allow_logprobs": true,
					"allow_view": true, "allow_fine_tuning": false, "organization": "*", "is_blocking": false}}})
		}
	case Sub2API:
		for _, id := range sub2DefaultModels {
			data = append(data, map[string]any{"id": id, "type": "model", "display_name": id, "created_at": "2025-09-29T00:00:00Z"})
		}
	case OpenAI:
		for _, id := range k.Models {
			data = append(data, map[string]any{"id": id, "object": "model", "created": oaiCreated, "owned_by": "system"})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": nonNil(data)})
}

// oaiAnthropicModels is New API's /v1/models for a client that presents
// itself as Anthropic's (x-api-key and anthropic-version).
func (s *Server) oaiAnthropicModels(w http.ResponseWriter, ids []string) {
	var data []map[string]any
	for _, id := range ids {
		data = append(data, map[string]any{"id": id, "type": "model", "display_name": id, "created_at": "2021-07-20T10:40:00Z"})
	}
	var first, last any
	if len(ids) > 0 {
		first, last = ids[0], ids[len(ids)-1]
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": nonNil(data), "first_id": first, "last_id": last, "has_more": false})
}

// oaiModel answers New API's GET /v1/models/{model}: an unknown model is an
// error body with HTTP 200.
func (s *Server) oaiModel(w http.ResponseWriter, r *http.Request) {
	k, ok := s.oaiKey(w, r, true)
	if !ok {
		return
	}
	id := r.PathValue("model")
	if !k.hasModel(id) {
		writeJSON(w, http.StatusOK, map[string]any{"error": map[string]any{"message": fmt.Sprintf("The model '%s' does not exist", id),
			"type": "invalid_request_error", "param": "model", "code": "model_not_found"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "model", "created": oaiCreated, "owned_by": oaiOwner(id),
		"supported_endpoint_types": []string{"openai"}})
}

func nonNil(data []map[string]any) []map[string]any {
	if data == nil {
		return []map[string]any{}
	}
	return data
}

// oaiNoModel answers a model the key cannot use, as each flavor words it.
func (s *Server) oaiNoModel(w http.ResponseWriter, model string) {
	switch s.Flavor {
	case NewAPI, OldNewAPI:
		s.openAIError(w, http.StatusServiceUnavailable, fmt.Sprintf("No available channel for model %s under group default (distributor)", model), "", "model_not_found")
	case OneAPI:
		s.openAIError(w, http.StatusServiceUnavailable, fmt.Sprintf("当前分组 default 下对于模型 %s 无可用渠道", model), "", "")
	default:
		s.openAIError(w, http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model), "invalid_request_error", "model_not_found")
	}
}

// oaiReasoning reports whether official OpenAI treats model as a reasoning
// model, which refuses max_tokens (o-series and gpt-5).
func oaiReasoning(model string) bool {
	return len(model) > 1 && model[0] == 'o' && model[1] >= '0' && model[1] <= '9' || strings.HasPrefix(model, "gpt-5")
}

var replyWith = regexp.MustCompile(`Reply with exactly: ([^"\\]+)`)

// oaiReply is the model's answer to a prompt: what "Reply with exactly: X"
// asks for, else a greeting.
func oaiReply(body []byte) string {
	if m := replyWith.FindSubmatch(body); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return "Hello! How can I help you today?"
}

// oaiCut shortens a reply to limit words (one word stands for one token)
// and says whether it was cut.
func oaiCut(reply string, limit *int) (string, bool) {
	words := strings.Fields(reply)
	if limit == nil || *limit <= 0 || len(words) <= *limit {
		return reply, false
	}
	return strings.Join(words[:*limit], " "), true
}

// forcedTool returns the tool a tool_choice forces: "required" forces the
// first tool; {"type":"function","function":{"name"}} (chat) or
// {"type":"function","name"} (responses) the named one.
func forcedTool(choice json.RawMessage, tools []string) string {
	if len(tools) == 0 || len(choice) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(choice, &s) == nil {
		if s == "required" {
			return tools[0]
		}
		return ""
	}
	var c struct {
		Type     string `json:"type"`
		Name     string `json:"name"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(choice, &c) != nil || c.Type != "function" {
		return ""
	}
	if c.Function.Name != "" {
		return c.Function.Name
	}
	return c.Name
}

type chatRequest struct {
	Model               string            `json:"model"`
	Messages            []json.RawMessage `json:"messages"`
	MaxTokens           *int              `json:"max_tokens"`
	MaxCompletionTokens *int              `json:"max_completion_tokens"`
	Stream              bool              `json:"stream"`
	Tools               []struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	} `json:"tools"`
	ToolChoice     json.RawMessage `json:"tool_choice"`
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format"`
}

// oaiChat answers POST /v1/chat/completions: a text reply, a forced tool
// call, or {"ok":true} for a json_schema response format, streamed or not.
func (s *Server) oaiChat(w http.ResponseWriter, r *http.Request) {
	k, ok := s.oaiKey(w, r, true)
	if !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.openAIError(w, http.StatusBadRequest, "We could not parse the JSON body of your request.", "invalid_request_error", "")
		return
	}
	if req.Model == "" {
		s.openAIError(w, http.StatusBadRequest, "you must provide a model parameter", "invalid_request_error", "")
		return
	}
	if k.Fault == FaultModelNotFound || !k.hasModel(req.Model) {
		s.oaiNoModel(w, req.Model)
		return
	}
	if s.Flavor == OpenAI && oaiReasoning(req.Model) && req.MaxTokens != nil {
		e := map[string]any{"message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
			"type": "invalid_request_error", "param": "max_tokens", "code": "unsupported_parameter"}
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": e})
		return
	}
	limit := req.MaxTokens
	if req.MaxCompletionTokens != nil {
		limit = req.MaxCompletionTokens
	}
	var tools []string
	for _, t := range req.Tools {
		tools = append(tools, t.Function.Name)
	}
	message := map[string]any{"role": "assistant", "content": nil}
	finish := "stop"
	var content string
	if name := forcedTool(req.ToolChoice, tools); name != "" {
		message["tool_calls"] = []any{map[string]any{"id": "call_fake1", "type": "function",
			"function": map[string]any{"name": name, "arguments": "{}"}}}
		finish = "tool_calls"
	} else {
		content = oaiReply(body)
		if req.ResponseFormat != nil && req.ResponseFormat.Type == "json_schema" {
			content = `{"ok":true}`
		} else if cut, short := oaiCut(content, limit); short {
			content, finish = cut, "length"
		}
		message["content"] = content
	}
	out := max(1, len(strings.Fields(content)))
	usage := map[string]any{"prompt_tokens": 12, "completion_tokens": out, "total_tokens": 12 + out}
	if !req.Stream {
		writeJSON(w, http.StatusOK, map[string]any{"id": "chatcmpl-fake", "object": "chat.completion", "created": oaiCreated,
			"model": req.Model, "choices": []any{map[string]any{"index": 0, "message": message, "finish_reason": finish}}, "usage": usage})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	chunk := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": oaiCreated,
			"model": req.Model, "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		flush(w)
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil)
	if k.Fault == FaultStreamError {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": "upstream stream broke off", "type": "upstream_error", "code": "bad_response_status_code"}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		return
	}
	if calls, ok := message["tool_calls"].([]any); ok {
		call := calls[0].(map[string]any)
		call["index"] = 0
		chunk(map[string]any{"tool_calls": []any{call}}, nil)
	} else {
		chunk(map[string]any{"content": content}, nil)
	}
	chunk(map[string]any{}, finish)
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

type responsesRequest struct {
	Model           string          `json:"model"`
	Input           json.RawMessage `json:"input"`
	Instructions    json.RawMessage `json:"instructions"`
	Stream          bool            `json:"stream"`
	Store           *bool           `json:"store"`
	MaxOutputTokens *int            `json:"max_output_tokens"`
	Tools           []struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"tools"`
	ToolChoice json.RawMessage `json:"tool_choice"`
}

// oaiResponses answers POST /v1/responses. Sub2API passes the request to
// ChatGPT's Codex backend, which insists on the Codex shape (stream:true,
// store:false, instructions, no max_output_tokens); the others take any
// valid request, streamed or not. A key with FaultStreamError gets a 200
// stream that fails after response.created.
func (s *Server) oaiResponses(w http.ResponseWriter, r *http.Request) {
	k, ok := s.oaiKey(w, r, true)
	if !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req responsesRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.openAIError(w, http.StatusBadRequest, "We could not parse the JSON body of your request.", "invalid_request_error", "")
		return
	}
	if req.Model == "" {
		s.openAIError(w, http.StatusBadRequest, "Missing required parameter: 'model'.", "invalid_request_error", "missing_required_parameter")
		return
	}
	switch {
	case s.Flavor == Sub2API && req.MaxOutputTokens != nil:
		s.openAIError(w, http.StatusBadRequest, "Unsupported parameter: max_output_tokens", "invalid_request_error", "")
		return
	case s.Flavor == Sub2API && !req.Stream:
		s.openAIError(w, http.StatusBadRequest, "Stream must be set to true", "invalid_request_error", "")
		return
	case s.Flavor == Sub2API && (req.Store == nil || *req.Store):
		s.openAIError(w, http.StatusBadRequest, "Store must be set to false", "invalid_request_error", "")
		return
	case s.Flavor == Sub2API && len(req.Instructions) == 0:
		s.openAIError(w, http.StatusBadRequest, "Instructions are required", "invalid_request_error", "")
		return
	case req.MaxOutputTokens != nil && *req.MaxOutputTokens < 16:
		s.openAIError(w, http.StatusBadRequest, fmt.Sprintf("Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got %d instead.", *req.MaxOutputTokens),
			"invalid_request_error", "integer_below_min_value")
		return
	}
	// Sub2API routes any model to its upstream accounts; the others check
	// the key's models.
	if k.Fault == FaultModelNotFound || s.Flavor != Sub2API && !k.hasModel(req.Model) {
		s.oaiNoModel(w, req.Model)
		return
	}
	var tools []string
	for _, t := range req.Tools {
		if t.Type == "function" {
			tools = append(tools, t.Name)
		}
	}
	var item map[string]any
	text := ""
	if name := forcedTool(req.ToolChoice, tools); name != "" {
		item = map[string]any{"type": "function_call", "id": "fc_fake1", "call_id": "call_fake1", "name": name, "arguments": "{}", "status": "completed"}
	} else {
		text = oaiReply(body)
		item = map[string]any{"type": "message", "id": "msg_fake1", "status": "completed", "role": "assistant",
			"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}}
	}
	response := func(status string, output []any) map[string]any {
		m := map[string]any{"id": "resp_fake1", "object": "response", "created_at": oaiCreated, "status": status, "model": req.Model,
			"output": output, "error": nil, "incomplete_details": nil, "store": req.Store == nil || *req.Store}
		if status == "completed" {
			m["usage"] = map[string]any{"input_tokens": 8, "output_tokens": 1, "total_tokens": 9}
		}
		return m
	}
	if !req.Stream {
		writeJSON(w, http.StatusOK, response("completed", []any{item}))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	seq := 0
	event := func(typ string, data map[string]any) {
		data["type"], data["sequence_number"] = typ, seq
		seq++
		b, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, b)
		flush(w)
	}
	event("response.created", map[string]any{"response": response("in_progress", []any{})})
	if k.Fault == FaultStreamError {
		if s.Flavor == Sub2API {
			b, _ := json.Marshal(map[string]any{"type": "error", "error": map[string]any{"type": "upstream_error", "message": "Upstream request failed"}})
			fmt.Fprintf(w, "event: error\ndata: %s\n\n", b)
			return
		}
		failed := response("failed", []any{})
		failed["error"] = map[string]any{"code": "server_error", "message": "The model failed to generate a response."}
		event("response.failed", map[string]any{"response": failed})
		return
	}
	event("response.in_progress", map[string]any{"response": response("in_progress", []any{})})
	added := map[string]any{}
	for f, v := range item {
		added[f] = v
	}
	added["status"] = "in_progress"
	if item["type"] == "function_call" {
		added["arguments"] = ""
		event("response.output_item.added", map[string]any{"output_index": 0, "item": added})
		event("response.function_call_arguments.delta", map[string]any{"output_index": 0, "item_id": item["id"], "delta": "{}"})
		event("response.function_call_arguments.done", map[string]any{"output_index": 0, "item_id": item["id"], "arguments": "{}"})
	} else {
		added["content"] = []any{}
		event("response.output_item.added", map[string]any{"output_index": 0, "item": added})
		event("response.output_text.delta", map[string]any{"output_index": 0, "content_index": 0, "item_id": item["id"], "delta": text})
		event("response.output_text.done", map[string]any{"output_index": 0, "content_index": 0, "item_id": item["id"], "text": text})
	}
	event("response.output_item.done", map[string]any{"output_index": 0, "item": item})
	event("response.completed", map[string]any{"response": response("completed", []any{item})})
}
