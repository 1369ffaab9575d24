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
