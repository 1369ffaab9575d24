package fakerelay

// The Gemini wire: GET /v1beta/models and POST
// /v1beta/models/{model}:generateContent|streamGenerateContent, served by
// the official API (paged list, Google error shapes) and by the relays that
// pass Gemini's protocol through: New API and Sub2API (provider-apis.md
// §1.4, §3.2, §6).

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func init() {
	addRoutes(func(s *Server, mux *http.ServeMux) {
		switch s.Flavor {
		case Gemini, NewAPI, OldNewAPI, Sub2API:
			mux.HandleFunc("GET /v1beta/models", s.gemModels)
			// Go's patterns cannot split "MODEL:method", so the handler does.
			mux.HandleFunc("POST /v1beta/models/{action}", s.gemGenerate)
		}
	})
}

// gemEmbedding is a model the official list always holds that cannot
// generate content: clients must drop it by supportedGenerationMethods.
const gemEmbedding = "text-embedding-004"

// gemKey reads and checks the key of a Gemini-wire route; false when it
// answered. Relays check the token's quota on every route; Google lists
// models for a project out of quota.
func (s *Server) gemKey(w http.ResponseWriter, r *http.Request, quota bool) (*Key, bool) {
	k, present := s.lookup(r)
	if s.keyError(w, r, k, present) {
		return nil, false
	}
	if (quota || s.Flavor != Gemini) && s.exhausted(w, k) {
		return nil, false
	}
	return k, true
}

// gemModels answers GET /v1beta/models. Official: pages of
// min(pageSize, s.PageSize) models named "models/…" with
// supportedGenerationMethods and an opaque nextPageToken, the embedding
// model last. New API: every model in one page, names without "models/" and
// no methods, nextPageToken null. Sub2API: one page in the official shape.
func (s *Server) gemModels(w http.ResponseWriter, r *http.Request) {
	k, ok := s.gemKey(w, r, false)
	if !ok {
		return
	}
	entry := func(id string) map[string]any {
		methods := []string{"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}
		if id == gemEmbedding {
			methods = []string{"embedContent", "countTextTokens"}
		}
		return map[string]any{"name": "models/" + id, "version": "001", "displayName": id, "description": "A fake model.",
			"inputTokenLimit": 1048576, "outputTokenLimit": 65536, "supportedGenerationMethods": methods}
	}
	var models []map[string]any
	switch s.Flavor {
	case NewAPI, OldNewAPI:
		for _, id := range k.Models {
			models = append(models, map[string]any{"name": id, "displayName": id})
		}
		writeJSON(w, http.StatusOK, map[string]any{"models": nonNilList(models), "nextPageToken": nil})
		return
	case Sub2API:
		for _, id := range k.Models {
			models = append(models, entry(id))
		}
		writeJSON(w, http.StatusOK, map[string]any{"models": nonNilList(models)})
		return
	}
	all := append(append([]string(nil), k.Models...), gemEmbedding)
	q := r.URL.Query()
	size := 50
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid value at 'page_size' (TYPE_INT32), \""+v+"\"", "")
			return
		}
		if n > 0 {
			size = min(n, 1000)
		}
	}
	if s.PageSize > 0 {
		size = min(size, s.PageSize)
	}
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		start = gemOffset(tok)
		if start < 0 || start > len(all) {
			googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid page token.", "")
			return
		}
	}
	end := min(start+size, len(all))
	for _, id := range all[start:end] {
		models = append(models, entry(id))
	}
	body := map[string]any{"models": nonNilList(models)}
	if end < len(all) {
		body["nextPageToken"] = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	writeJSON(w, http.StatusOK, body)
}

// gemOffset decodes a page token, or returns -1.
func gemOffset(tok string) int {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), "offset:") {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
	if err != nil {
		return -1
	}
	return n
}

func nonNilList(m []map[string]any) []map[string]any {
	if m == nil {
		return []map[string]any{}
	}
	return m
}

type gemRequest struct {
	Contents []json.RawMessage `json:"contents"`
	Tools    []struct {
		FunctionDeclarations []struct {
			Name       string         `json:"name"`
			Parameters map[string]any `json:"parameters"`
		} `json:"functionDeclarations"`
	} `json:"tools"`
	ToolConfig *struct {
		FunctionCallingConfig struct {
			Mode                 string   `json:"mode"`
			AllowedFunctionNames []string `json:"allowedFunctionNames"`
		} `json:"functionCallingConfig"`
	} `json:"toolConfig"`
	GenerationConfig struct {
		MaxOutputTokens  *int           `json:"maxOutputTokens"`
		ResponseMimeType string         `json:"responseMimeType"`
		ResponseSchema   map[string]any `json:"responseSchema"`
	} `json:"generationConfig"`
}

// gemGenerate answers POST /v1beta/models/MODEL:generateContent and
// :streamGenerateContent (SSE with ?alt=sse, else a JSON array): "OK" as
// text, a functionCall part when functionCallingConfig.mode is ANY, the
// schema's value as JSON text for responseMimeType application/json. A
// thinking model (2.5, 3) given fewer than 16 output tokens spends them
// thinking and answers MAX_TOKENS with no part, as the real ones do. Like
// Google, it refuses an OBJECT parameter schema with no properties. A key
// with FaultStreamError gets a stream that breaks after its first chunk.
func (s *Server) gemGenerate(w http.ResponseWriter, r *http.Request) {
	k, ok := s.gemKey(w, r, true)
	if !ok {
		return
	}
	action := r.PathValue("action")
	i := strings.LastIndex(action, ":")
	if i < 0 || action[i+1:] != "generateContent" && action[i+1:] != "streamGenerateContent" {
		googleError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.", "")
		return
	}
	model, method := action[:i], action[i+1:]
	if k.Fault == FaultModelNotFound || !k.hasModel(model) || model == gemEmbedding {
		switch {
		case s.Flavor == NewAPI || s.Flavor == OldNewAPI:
			s.openAIError(w, http.StatusServiceUnavailable, fmt.Sprintf("No available channel for model %s under group default (distributor)", model), "", "model_not_found")
		default:
			googleError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("models/%s is not found for API version v1beta, or is not supported for %s. "+
				"Call ListModels to see the list of available models and their supported methods.", model, method), "")
		}
		return
	}
	var req gemRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received.", "")
		return
	}
	if len(req.Contents) == 0 {
		googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified", "")
		return
	}
	var decls []string
	params := map[string]map[string]any{}
	for ti, t := range req.Tools {
		for di, d := range t.FunctionDeclarations {
			if p := d.Parameters; p != nil && strings.EqualFold(fmt.Sprint(p["type"]), "object") {
				if props, _ := p["properties"].(map[string]any); len(props) == 0 {
					googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf("* GenerateContentRequest.tools[%d].function_declarations[%d].parameters.properties: should be non-empty for OBJECT type", ti, di), "")
					return
				}
			}
			decls = append(decls, d.Name)
			params[d.Name] = d.Parameters
		}
	}

	gc := req.GenerationConfig
	thinking := strings.Contains(model, "2.5") || strings.HasPrefix(model, "gemini-3")
	var parts []any
	finish := "STOP"
	usage := map[string]any{"promptTokenCount": 8, "candidatesTokenCount": 1, "totalTokenCount": 9}
	switch {
	case req.ToolConfig != nil && strings.EqualFold(req.ToolConfig.FunctionCallingConfig.Mode, "ANY") && len(decls) > 0:
		name := decls[0]
		if allowed := req.ToolConfig.FunctionCallingConfig.AllowedFunctionNames; len(allowed) > 0 {
			name = allowed[0]
		}
		args := any(map[string]any{})
		if p := params[name]; p != nil {
			args = schemaValue(p)
		}
		parts = []any{map[string]any{"functionCall": map[string]any{"name": name, "args": args}}}
	case gc.ResponseMimeType == "application/json":
		text := "{}"
		if gc.ResponseSchema != nil {
			b, _ := json.Marshal(schemaValue(gc.ResponseSchema))
			text = string(b)
		}
		parts = []any{map[string]any{"text": text}}
	case thinking && gc.MaxOutputTokens != nil && *gc.MaxOutputTokens < 16:
		finish = "MAX_TOKENS"
		usage = map[string]any{"promptTokenCount": 8, "thoughtsTokenCount": *gc.MaxOutputTokens, "totalTokenCount": 8 + *gc.MaxOutputTokens}
	default:
		parts = []any{map[string]any{"text": "OK"}}
	}
	answer := func(parts []any, finish string) map[string]any {
		content := map[string]any{"role": "model"}
		if len(parts) > 0 {
			content["parts"] = parts
		}
		cand := map[string]any{"content": content, "index": 0}
		if finish != "" {
			cand["finishReason"] = finish
		}
		return map[string]any{"candidates": []any{cand}, "usageMetadata": usage, "modelVersion": model, "responseId": "fakeResponse01"}
	}

	if method == "generateContent" {
		writeJSON(w, http.StatusOK, answer(parts, finish))
		return
	}
	// A text answer streams in two chunks, so a stream can break between them.
	chunks := []map[string]any{answer(parts, finish)}
	if len(parts) == 1 && parts[0].(map[string]any)["text"] == "OK" {
		chunks = []map[string]any{answer([]any{map[string]any{"text": "O"}}, ""), answer([]any{map[string]any{"text": "K"}}, finish)}
	}
	if k.Fault == FaultStreamError {
		chunks = []map[string]any{chunks[0], {"error": map[string]any{"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}}
	}
	if r.URL.Query().Get("alt") != "sse" {
		writeJSON(w, http.StatusOK, chunks)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for _, c := range chunks {
		b, _ := json.Marshal(c)
		fmt.Fprintf(w, "data: %s\r\n\r\n", b)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
}
