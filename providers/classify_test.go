package providers

import "testing"

// Anthropic's wire: not_found_error is an unknown model only when it names
// one; a wrong path answers the same type with "Not Found".
func TestClassifyAnthropic(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   Class
		code   string
	}{
		{"unknown model", 404, `{"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"},"request_id":"req_1"}`, ClassModelNotFound, "not_found_error"},
		{"unknown path", 404, `{"type":"error","error":{"type":"not_found_error","message":"Not Found"},"request_id":"req_1"}`, ClassWrongURL, "not_found_error"},
		{"bad key", 401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`, ClassInvalidKey, "authentication_error"},
		{"no credit", 400, `{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}`, ClassQuota, "invalid_request_error"},
		{"overloaded", 529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, ClassOverloaded, "overloaded_error"},
		{"New API no channel on /v1/messages", 503, `{"type":"error","error":{"type":"new_api_error","message":"No available channel for model claude-x under group default (distributor) (request id: 1)"}}`, ClassModelNotFound, "new_api_error"},
	} {
		f := Classify(tc.status, "application/json", []byte(tc.body))
		if f == nil || f.Class != tc.want || f.Code != tc.code {
			t.Errorf("%s: Classify = %+v, want class %s code %q", tc.name, f, tc.want, tc.code)
		}
	}
}

// Google's wire: the status name is the code; a QuotaFailure whose quotaId
// is per day is a used-up quota even when the message reads like the
// per-minute one; a key Google found leaked is as good as invalid.
func TestClassifyGoogle(t *testing.T) {
	quota := func(id string) string {
		return `{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details. * Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 50","status":"RESOURCE_EXHAUSTED",` +
			`"details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"` + id + `"}]},` +
			`{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}`
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   Class
		code   string
	}{
		{"daily quota", 429, quota("GenerateRequestsPerDayPerProjectPerModel-FreeTier"), ClassQuota, "RESOURCE_EXHAUSTED"},
		{"per-minute quota", 429, quota("GenerateRequestsPerMinutePerProjectPerModel-FreeTier"), ClassRateLimited, "RESOURCE_EXHAUSTED"},
		{"bad key", 400, `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}`, ClassInvalidKey, "API_KEY_INVALID"},
		{"leaked key", 403, `{"error":{"code":403,"message":"Your API key was reported as leaked. Please use another API key.","status":"PERMISSION_DENIED"}}`, ClassInvalidKey, "PERMISSION_DENIED"},
		{"no key", 403, `{"error":{"code":403,"message":"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.","status":"PERMISSION_DENIED"}}`, ClassPermission, "PERMISSION_DENIED"},
		{"unknown model", 404, `{"error":{"code":404,"message":"models/x is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.","status":"NOT_FOUND"}}`, ClassModelNotFound, "NOT_FOUND"},
		{"unknown path", 404, `{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}`, ClassWrongURL, "NOT_FOUND"},
	} {
		f := Classify(tc.status, "application/json", []byte(tc.body))
		if f == nil || f.Class != tc.want || f.Code != tc.code {
			t.Errorf("%s: Classify = %+v, want class %s code %q", tc.name, f, tc.want, tc.code)
		}
	}
}

// The rows of provider-apis.md §8, one answer per signal, across relays.
func TestClassifyRelays(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
		body   string
		want   Class
	}{
		{"OpenAI invalid key", 401, "", `{"error":{"message":"Incorrect API key provided: sk-test***","type":"invalid_request_error","code":"invalid_api_key"}}`, ClassInvalidKey},
		{"New API invalid token", 401, "", `{"error":{"message":"Invalid token (request id: 1)","type":"new_api_error"}}`, ClassInvalidKey},
		{"One API 无效的令牌", 401, "", `{"error":{"message":"无效的令牌 (request id: 2)","type":"one_api_error"}}`, ClassInvalidKey},
		{"New API expired", 401, "", `{"error":{"message":"该令牌已过期","type":"new_api_error"}}`, ClassInvalidKey},
		{"Sub2API INVALID_API_KEY", 401, "", `{"code":"INVALID_API_KEY","message":"Invalid API key"}`, ClassInvalidKey},
		{"Octopus", 401, "", `{"code":401,"message":"Authentication failed"}`, ClassInvalidKey},
		{"200 success:false access token", 200, "", `{"success":false,"message":"无权进行此操作，access token 无效"}`, ClassInvalidKey},
		{"bare 401", 401, "", ``, ClassInvalidKey},
		{"OpenAI insufficient_quota", 429, "", `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`, ClassQuota},
		{"New API token exhausted", 401, "", `{"error":{"message":"This token quota is exhausted TokenStatusExhausted[sk-abc***xyz]","type":"new_api_error"}}`, ClassQuota},
		{"New API user quota", 403, "", `{"error":{"message":"用户额度不足, 剩余额度: ＄0.000000","type":"new_api_error","code":"insufficient_user_quota"}}`, ClassQuota},
		{"Sub2API balance", 403, "", `{"code":"INSUFFICIENT_BALANCE","message":"Insufficient account balance"}`, ClassQuota},
		{"Octopus max cost", 401, "", `{"code":401,"message":"API key has reached the max cost"}`, ClassQuota},
		{"402", 402, "", `{"error":{"message":"Payment Required"}}`, ClassQuota},
		{"New API no channel", 503, "", `{"error":{"message":"No available channel for model x under group default (distributor)","type":"new_api_error","code":"model_not_found"}}`, ClassModelNotFound},
		{"One API 无可用渠道", 503, "", `{"error":{"message":"当前分组 default 下对于模型 x 无可用渠道","type":"one_api_error"}}`, ClassModelNotFound},
		{"200 model error body", 200, "", `{"error":{"message":"The model 'x' does not exist","type":"invalid_request_error","param":"model","code":"model_not_found"}}`, ClassModelNotFound},
		{"OpenAI rate limit", 429, "", `{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}`, ClassRateLimited},
		{"bare 429", 429, "", ``, ClassRateLimited},
		{"Sub2API overloaded", 503, "", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, ClassOverloaded},
		{"Invalid URL", 404, "", `{"error":{"message":"Invalid URL (GET /api/usage/token/)","type":"invalid_request_error"}}`, ClassWrongURL},
		{"SPA page", 200, "text/html; charset=utf-8", `<!doctype html><html><head><title>New API</title></head></html>`, ClassWrongURL},
		{"challenge", 403, "text/html", `<html><head><title>Just a moment...</title></head><body><div id="challenge-platform"></div></body></html>`, ClassBlocked},
		{"session key only", 401, "", `{"error":{"message":"Your request to GET /v1/dashboard/billing/subscription must be made with a session key (that is, it can only be made from the browser). You made it with the following key type: secret.","type":"server_error"}}`, ClassUnsupported},
		{"unsupported_parameter", 400, "", `{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}`, ClassBadRequest},
		{"upstream", 502, "", `{"type":"error","error":{"type":"upstream_error","message":"Upstream request failed"}}`, ClassUpstream},
		{"500", 500, "", `{"error":{"message":"database is locked"}}`, ClassServer},
	} {
		f := Classify(tc.status, tc.ctype, []byte(tc.body))
		if f == nil || f.Class != tc.want {
			t.Errorf("%s: Classify = %+v, want %s", tc.name, f, tc.want)
		}
	}
	for _, ok := range []string{`{"object":"list","data":[]}`, `{"success":true,"data":[]}`, `{"code":true,"data":{}}`, `{"code":0,"data":{}}`, `{"code":200,"message":"success"}`, `{"isValid":true,"remaining":1}`} {
		if f := Classify(200, "application/json", []byte(ok)); f != nil {
			t.Errorf("success %s classified as %+v", ok, f)
		}
	}
}
