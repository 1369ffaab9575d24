//go:build !windows

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply is the text every fake answer carries; a tool printing it proves it
// parsed the answer, not only that it sent the request.
const reply = "Hi from the hub e2e upstream."

// seen is one request the fake upstream received.
type seen struct {
	Method, Path, Query string
	// The three ways the APIs carry a key.
	Authorization, XAPIKey, XGoogAPIKey string
	// Model is the body's "model", or for Gemini the {model} of the path.
	Model     string
	Stream    bool
	UserAgent string
	Status    int
}

func (s seen) String() string {
	q := ""
	if s.Query != "" {
		q = "?" + s.Query
	}
	return fmt.Sprintf("%s %s%s -> %d (model %q, stream %v, authorization %q, x-api-key %q, x-goog-api-key %q, user-agent %q)",
		s.Method, s.Path, q, s.Status, s.Model, s.Stream, s.Authorization, s.XAPIKey, s.XGoogAPIKey, s.UserAgent)
}

// upstream is a recording fake of the provider APIs the tools call. It
// answers in the real wire shapes (Anthropic Messages, OpenAI Responses and
// Chat Completions, Gemini generateContent), streaming or not as asked, and
// 404s anything else at once: tools probe other paths (Claude Code's
// HEAD /api/hello) and must not hang on them.
type upstream struct {
	srv *httptest.Server
	mu  sync.Mutex
	log []seen
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve)) // binds 127.0.0.1
	t.Cleanup(u.srv.Close)
	return u
}

// URL is the upstream's base URL, http://127.0.0.1:PORT.
func (u *upstream) URL() string { return u.srv.URL }

// requests returns what the upstream has seen so far.
func (u *upstream) requests() []seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seen(nil), u.log...)
}

// statusWriter remembers the status for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	var req struct {
		Model         string `json:"model"`
		Stream        bool   `json:"stream"`
		StreamOptions *struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	_ = json.Unmarshal(body, &req)
	s := seen{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"),
		XAPIKey:       r.Header.Get("X-Api-Key"),
		XGoogAPIKey:   r.Header.Get("X-Goog-Api-Key"),
		Model:         req.Model, Stream: req.Stream,
		UserAgent: r.Header.Get("User-Agent"),
	}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		s.Status = sw.status
		u.mu.Lock()
		u.log = append(u.log, s)
		u.mu.Unlock()
	}()

	path := r.URL.Path
	switch {
	case r.Method == http.MethodPost && path == "/v1/messages":
		anthropicMessages(sw, req.Model, req.Stream)
	case r.Method == http.MethodPost && path == "/v1/messages/count_tokens":
		writeJSON(sw, map[string]any{"input_tokens": 12})
	case r.Method == http.MethodPost && path == "/v1/responses":
		openaiResponses(sw, req.Model, req.Stream)
	case r.Method == http.MethodPost && path == "/v1/chat/completions":
		includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
		openaiChat(sw, req.Model, req.Stream, includeUsage)
	case r.Method == http.MethodGet && path == "/v1/models":
		writeJSON(sw, map[string]any{"object": "list", "data": []any{}})
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v1beta/models/"):
		model, method, ok := strings.Cut(strings.TrimPrefix(path, "/v1beta/models/"), ":")
		if !ok {
			http.NotFound(sw, r)
			return
		}
		s.Model = model
		switch method {
		case "streamGenerateContent":
			s.Stream = true
			geminiGenerate(sw, model, true, r.URL.Query().Get("alt") == "sse")
		case "generateContent":
			geminiGenerate(sw, model, false, false)
		case "countTokens":
			writeJSON(sw, map[string]any{"totalTokens": 12})
		default:
			http.NotFound(sw, r)
		}
	default:
		http.NotFound(sw, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// sse writes Server-Sent Events; an empty name writes a data-only event.
type sse struct{ w http.ResponseWriter }

func startSSE(w http.ResponseWriter) sse {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	return sse{w}
}

func (s sse) event(name string, v any) {
	data, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		data = string(b)
	}
	if name != "" {
		fmt.Fprintf(s.w, "event: %s\n", name)
	}
	fmt.Fprintf(s.w, "data: %s\n\n", data)
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
}

// anthropicMessages answers POST /v1/messages
// (https://docs.anthropic.com/en/api/messages-streaming).
func anthropicMessages(w http.ResponseWriter, model string, stream bool) {
	w.Header().Set("Request-Id", "req_e2e")
	id := fmt.Sprintf("msg_e2e_%d", time.Now().UnixNano())
	usage := map[string]any{"input_tokens": 12, "output_tokens": 9,
		"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
	if !stream {
		writeJSON(w, map[string]any{
			"id": id, "type": "message", "role": "assistant", "model": model,
			"content":     []any{map[string]any{"type": "text", "text": reply}},
			"stop_reason": "end_turn", "stop_sequence": nil, "usage": usage,
		})
		return
	}
	s := startSSE(w)
	s.event("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": 12, "output_tokens": 1,
			"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
	}})
	s.event("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
		"content_block": map[string]any{"type": "text", "text": ""}})
	s.event("ping", map[string]any{"type": "ping"})
	for _, part := range splitReply() {
		s.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "text_delta", "text": part}})
	}
	s.event("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	s.event("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": "end_turn", "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": 9}})
	s.event("message_stop", map[string]any{"type": "message_stop"})
}

// openaiResponses answers POST /v1/responses
// (https://platform.openai.com/docs/api-reference/responses-streaming).
// Codex only streams, and treats a stream without response.completed as
// a failure.
func openaiResponses(w http.ResponseWriter, model string, stream bool) {
	now := time.Now().Unix()
	respID := fmt.Sprintf("resp_e2e_%d", time.Now().UnixNano())
	const itemID = "msg_e2e_1"
	text := map[string]any{"type": "output_text", "text": reply, "annotations": []any{}}
	done := map[string]any{"id": itemID, "type": "message", "status": "completed", "role": "assistant",
		"content": []any{text}}
	usage := map[string]any{
		"input_tokens": 12, "input_tokens_details": map[string]any{"cached_tokens": 0},
		"output_tokens": 9, "output_tokens_details": map[string]any{"reasoning_tokens": 0},
		"total_tokens": 21,
	}
	response := func(status string, output []any, usage any) map[string]any {
		return map[string]any{
			"id": respID, "object": "response", "created_at": now, "status": status,
			"model": model, "output": output, "parallel_tool_calls": true,
			"tool_choice": "auto", "tools": []any{}, "error": nil,
			"incomplete_details": nil, "usage": usage,
		}
	}
	if !stream {
		writeJSON(w, response("completed", []any{done}, usage))
		return
	}
	s := startSSE(w)
	seq := 0
	ev := func(name string, v map[string]any) {
		v["type"] = name
		v["sequence_number"] = seq
		seq++
		s.event(name, v)
	}
	ev("response.created", map[string]any{"response": response("in_progress", []any{}, nil)})
	ev("response.in_progress", map[string]any{"response": response("in_progress", []any{}, nil)})
	ev("response.output_item.added", map[string]any{"output_index": 0, "item": map[string]any{
		"id": itemID, "type": "message", "status": "in_progress", "role": "assistant", "content": []any{}}})
	ev("response.content_part.added", map[string]any{"item_id": itemID, "output_index": 0,
		"content_index": 0, "part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}}})
	for _, part := range splitReply() {
		ev("response.output_text.delta", map[string]any{"item_id": itemID, "output_index": 0,
			"content_index": 0, "delta": part})
	}
	ev("response.output_text.done", map[string]any{"item_id": itemID, "output_index": 0,
		"content_index": 0, "text": reply})
	ev("response.content_part.done", map[string]any{"item_id": itemID, "output_index": 0,
		"content_index": 0, "part": text})
	ev("response.output_item.done", map[string]any{"output_index": 0, "item": done})
	ev("response.completed", map[string]any{"response": response("completed", []any{done}, usage)})
}

// openaiChat answers POST /v1/chat/completions
// (https://platform.openai.com/docs/api-reference/chat-streaming).
func openaiChat(w http.ResponseWriter, model string, stream, includeUsage bool) {
	now := time.Now().Unix()
	id := fmt.Sprintf("chatcmpl-e2e%d", time.Now().UnixNano())
	usage := map[string]any{"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21}
	if !stream {
		writeJSON(w, map[string]any{
			"id": id, "object": "chat.completion", "created": now, "model": model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": reply}}},
			"usage": usage,
		})
		return
	}
	s := startSSE(w)
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": now, "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
		}
	}
	s.event("", chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for _, part := range splitReply() {
		s.event("", chunk(map[string]any{"content": part}, nil))
	}
	s.event("", chunk(map[string]any{}, "stop"))
	if includeUsage {
		s.event("", map[string]any{"id": id, "object": "chat.completion.chunk", "created": now,
			"model": model, "choices": []any{}, "usage": usage})
	}
	s.event("", "[DONE]")
}

// geminiGenerate answers :generateContent and :streamGenerateContent
// (https://ai.google.dev/api/generate-content). Without alt=sse a stream is
// a JSON array of responses.
func geminiGenerate(w http.ResponseWriter, model string, stream, sseStream bool) {
	chunk := func(text string, last bool) map[string]any {
		c := map[string]any{"content": map[string]any{"role": "model",
			"parts": []any{map[string]any{"text": text}}}, "index": 0}
		r := map[string]any{"candidates": []any{c}, "modelVersion": model, "responseId": "e2e"}
		if last {
			c["finishReason"] = "STOP"
			r["usageMetadata"] = map[string]any{"promptTokenCount": 12,
				"candidatesTokenCount": 9, "totalTokenCount": 21}
		}
		return r
	}
	parts := splitReply()
	switch {
	case !stream:
		writeJSON(w, chunk(reply, true))
		return
	case !sseStream:
		var all []any
		for i, part := range parts {
			all = append(all, chunk(part, i == len(parts)-1))
		}
		writeJSON(w, all)
		return
	}
	s := startSSE(w)
	for i, part := range parts {
		s.event("", chunk(part, i == len(parts)-1))
	}
}

// splitReply cuts the reply in a few deltas, as real streams do.
func splitReply() []string { return strings.SplitAfter(reply, " ") }
