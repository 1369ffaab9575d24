package providers

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/hubctl/hub/secret"
)

// Class is what went wrong with an upstream call, in the user's terms.
type Class string

// The failure classes (provider-apis.md §8), each shown in words by String.
const (
	ClassInvalidKey    Class = "invalid_key"
	ClassQuota         Class = "quota_exhausted"
	ClassExpired       Class = "key_expired"
	ClassDisabled      Class = "key_disabled"
	ClassModelNotFound Class = "model_not_found"
	ClassRateLimited   Class = "rate_limited"
	ClassOverloaded    Class = "overloaded"
	ClassWrongURL      Class = "wrong_base_url"
	ClassBlocked       Class = "blocked"
	ClassTLS           Class = "tls"
	ClassNetwork       Class = "network"
	ClassTimeout       Class = "timeout"
	ClassUnsupported   Class = "unsupported"
	ClassBadRequest    Class = "bad_request"
	ClassUpstream      Class = "upstream"
	ClassPermission    Class = "permission_denied"
	ClassServer        Class = "server_error"
	ClassBadAnswer     Class = "bad_answer"
)

var classWords = map[Class]string{
	ClassInvalidKey:    "invalid key",
	ClassQuota:         "quota exhausted",
	ClassExpired:       "key expired",
	ClassDisabled:      "key disabled",
	ClassModelNotFound: "model not found",
	ClassRateLimited:   "rate limited",
	ClassOverloaded:    "overloaded",
	ClassWrongURL:      "wrong base URL",
	ClassBlocked:       "blocked by the site's bot protection",
	ClassTLS:           "TLS problem",
	ClassNetwork:       "network unreachable",
	ClassTimeout:       "timeout",
	ClassUnsupported:   "not supported",
	ClassBadRequest:    "bad request",
	ClassUpstream:      "relay's upstream failed",
	ClassPermission:    "permission denied",
	ClassServer:        "server error",
	ClassBadAnswer:     "unexpected answer",
}

// String returns the class in words.
func (c Class) String() string {
	if w, ok := classWords[c]; ok {
		return w
	}
	return string(c)
}

// KeyWorks reports whether a failure of this class still proves the key is
// accepted: the server got past authentication before it failed.
func (c Class) KeyWorks() bool {
	switch c {
	case ClassModelNotFound, ClassRateLimited, ClassOverloaded, ClassBadRequest, ClassUpstream:
		return true
	}
	return false
}

// A Failure is a classified upstream error. Its text never holds the key:
// the Client removes it from every message it keeps.
type Failure struct {
	Class Class
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Endpoint is the method and URL (no query) that failed.
	Endpoint string
	// Code is the error code or type the server gave, if any.
	Code string
	// Message is the server's message or the transport error, shortened.
	Message string
	// Err is the transport cause, for errors.Is (context.DeadlineExceeded...).
	Err error
}

func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Class.String())
	switch {
	case f.Status != 0 && f.Endpoint != "":
		fmt.Fprintf(&b, " (HTTP %d from %s)", f.Status, f.Endpoint)
	case f.Endpoint != "":
		fmt.Fprintf(&b, " (%s)", f.Endpoint)
	}
	if f.Message != "" {
		b.WriteString(": ")
		b.WriteString(f.Message)
	}
	return b.String()
}

func (f *Failure) Unwrap() error { return f.Err }

// Unsupported reports whether the endpoint is simply not there: a 404 or
// 405, an "Invalid URL" answer or an HTML page. Optional endpoints (usage,
// billing) read this as "try the next one", not as a broken key.
func (f *Failure) Unsupported() bool {
	return f.Class == ClassUnsupported || f.Class == ClassWrongURL || f.Status == http.StatusNotFound || f.Status == http.StatusMethodNotAllowed
}

// AsFailure returns err's *Failure, if it has one.
func AsFailure(err error) (*Failure, bool) {
	var f *Failure
	ok := errors.As(err, &f)
	return f, ok
}

// ErrorInfo is what an error body says, in any of the shapes relays use.
type ErrorInfo struct {
	Message, Type, Code, Reason, Status string
	// Quota holds the quotaId of a Google QuotaFailure's violations, space
	// separated: "…PerDay…" there is what tells a daily quota from a rate
	// limit, as the message says "exceeded your current quota" for both.
	Quota string
}

func (e ErrorInfo) text() string {
	return strings.ToLower(strings.Join([]string{e.Message, e.Type, e.Code, e.Reason, e.Status, e.Quota}, " "))
}

// ParseError reads an error from a JSON body: OpenAI/New API
// {"error":{...}}, Anthropic {"type":"error","error":{...}}, Google
// {"error":{"status","details":[{"reason"}]}} (also as a one-element array),
// New API's {"success":false,"message"}, Sub2API's {"code":"X","message"},
// Octopus's {"code":401,"message"} and {"code":false}. ok is false when the
// body is not an error (success envelopes with code 0, 200 or true).
func ParseError(body []byte) (info ErrorInfo, ok bool) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(body, &arr) != nil || len(arr) == 0 {
			return info, false
		}
		body = arr[0]
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return info, false
	}
	str := func(raw json.RawMessage) string {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
		return ""
	}
	if raw, has := m["error"]; has && string(raw) != "null" {
		var e struct {
			Message string          `json:"message"`
			Type    string          `json:"type"`
			Code    json.RawMessage `json:"code"`
			Status  string          `json:"status"`
			Details []struct {
				Reason     string `json:"reason"`
				Violations []struct {
					QuotaID string `json:"quotaId"`
				} `json:"violations"`
			} `json:"details"`
		}
		if json.Unmarshal(raw, &e) == nil {
			info = ErrorInfo{Message: e.Message, Type: e.Type, Code: str(e.Code), Status: e.Status}
			var quota []string
			for _, d := range e.Details {
				if info.Reason == "" {
					info.Reason = d.Reason
				}
				for _, v := range d.Violations {
					if v.QuotaID != "" {
						quota = append(quota, v.QuotaID)
					}
				}
			}
			info.Quota = strings.Join(quota, " ")
			if info.Message == "" && info.Type == "" && info.Code == "" && info.Status == "" {
				return info, false
			}
			// Google's numeric code repeats the HTTP status; its status
			// (NOT_FOUND, RESOURCE_EXHAUSTED) is the code worth showing.
			if _, numeric := strconv.Atoi(info.Code); info.Code == "" || numeric == nil && e.Status != "" {
				info.Code = e.Status
			}
			return info, true
		}
		if s := str(raw); s != "" {
			return ErrorInfo{Message: s}, true
		}
	}
	msg := str(m["message"])
	if raw, has := m["success"]; has && string(raw) == "false" {
		return ErrorInfo{Message: msg, Code: str(m["code"])}, true
	}
	if raw, has := m["code"]; has {
		switch s := strings.TrimSpace(string(raw)); {
		case s == "false":
			return ErrorInfo{Message: msg}, true
		case s == "true", s == "0", s == "200", s == "null", s == `""`, s == `"0"`, s == `"200"`,
			strings.EqualFold(s, `"success"`), strings.EqualFold(s, `"ok"`):
		case s[0] == '"':
			return ErrorInfo{Message: msg, Code: str(raw)}, true
		default:
			if n, err := strconv.Atoi(s); err == nil && n >= 400 {
				return ErrorInfo{Message: msg, Code: s}, true
			}
		}
	}
	return info, false
}

var (
	requestID = regexp.MustCompile(`\s*[(（]request id: [^)）]*[)）]`)
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
)

func has(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// IsHTML reports whether an answer is an HTML page rather than an API reply.
func IsHTML(contentType string, body []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "text/html") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// Classify turns an HTTP answer into a Failure, or nil when it is a success:
// a 2xx with no error in its body. Relays answer many errors with 200, so the
// body decides as much as the status.
func Classify(status int, contentType string, body []byte) *Failure {
	if IsHTML(contentType, body) {
		f := &Failure{Class: ClassWrongURL, Status: status, Message: "the answer is an HTML page, not the API"}
		low := strings.ToLower(string(body))
		if has(low, "cf-chl", "challenge-platform", "just a moment", "cf-browser-verification", "attention required", "captcha", "ddos-guard") {
			f.Class, f.Message = ClassBlocked, "an HTML challenge page answered; the site sits behind a bot check that hub cannot pass"
		} else if m := htmlTitle.FindSubmatch(body); m != nil {
			if t := strings.TrimSpace(string(m[1])); t != "" {
				f.Message += fmt.Sprintf(" (%q)", shorten(t, 80))
			}
		}
		if status >= 200 && status < 300 || f.Class == ClassBlocked {
			return f
		}
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return f
		}
		f.Class = classFromStatus(status)
		return f
	}
	info, isErr := ParseError(body)
	if !isErr && status >= 200 && status < 300 {
		return nil
	}
	f := &Failure{Status: status, Message: shorten(requestID.ReplaceAllString(strings.TrimSpace(info.Message), ""), 300)}
	f.Code = info.Code
	if f.Code == "" {
		f.Code = info.Type
	}
	if info.Reason != "" {
		f.Code = info.Reason
	}
	f.Code = shorten(f.Code, 80)
	f.Class = classify(status, info)
	if f.Message == "" && !isErr && len(bytes.TrimSpace(body)) > 0 && status >= 400 {
		f.Message = shorten(strings.TrimSpace(string(body)), 200)
	}
	return f
}

func classify(status int, info ErrorInfo) Class {
	t := info.text()
	switch {
	case has(t, "must be made with a session key"):
		return ClassUnsupported
	case has(t, "insufficient_quota", "credit balance is too low", "quota is exhausted", "tokenstatusexhausted",
		"额度已用尽", "额度已用完", "insufficient_user_quota", "pre_consume_token_quota_failed", "用户额度不足", "预扣费额度失败",
		"user quota is not enough", "insufficient_balance", "insufficient account balance", "api_key_quota_exhausted",
		"usage_limit_exceeded", "reached the max cost", "insufficient balance", "余额不足", "欠费", "令牌额度不足",
		"payment required"), status == http.StatusPaymentRequired:
		return ClassQuota
	case status == http.StatusTooManyRequests && info.Status == "RESOURCE_EXHAUSTED":
		if has(t, "perday", "per day") {
			return ClassQuota
		}
		return ClassRateLimited
	case has(t, "exceeded your current quota"):
		return ClassQuota
	case has(t, "invalid_api_key", "authentication_error", "api_key_invalid", "api key not valid", "invalid token",
		"无效的令牌", "未提供令牌", "api_key_required", "authentication failed", "incorrect api key", "invalid x-api-key",
		"invalid api key", "has expired", "已过期", "api_key_expired", "status is unavailable", "状态不可用",
		"api_key_disabled", "api key is disabled", "令牌验证失败", "invalid bearer token", "auth_unauthorized", "auth_token_expired",
		"user_inactive", "user_not_found", "unauthenticated", "reported as leaked", "access token 无效", "access token is invalid"):
		return ClassInvalidKey
	case has(t, "model_not_found", "is not found for api version", "no available channel", "无可用渠道", "has no access to model",
		"无权访问模型") && status != http.StatusMethodNotAllowed:
		return ClassModelNotFound
	// Anthropic answers an unknown path with not_found_error "Not Found"
	// too: only "model: X" makes it an unknown model.
	case has(t, "not_found_error") && has(t, "model"):
		return ClassModelNotFound
	case has(t, "does not exist") && has(t, "model"):
		return ClassModelNotFound
	case has(t, "overloaded", "api_key_auth_overloaded") || status == 529:
		return ClassOverloaded
	case has(t, "rate_limit", "rate limit", "request limit", "请求数限制", "invalid_auth_rate_limited", "too many requests"):
		return ClassRateLimited
	case has(t, "invalid url ("):
		return ClassWrongURL
	case has(t, "unsupported_parameter", "below minimum", "stream must be set to true", "store must be set to false",
		"instructions are required", "unsupported parameter"):
		return ClassBadRequest
	case has(t, "upstream_error", "do_request_failed", "bad_response_status_code"):
		return ClassUpstream
	}
	if status >= 200 && status < 300 {
		return ClassBadAnswer
	}
	return classFromStatus(status)
}

func classFromStatus(status int) Class {
	switch {
	case status == http.StatusUnauthorized:
		return ClassInvalidKey
	case status == http.StatusForbidden:
		return ClassPermission
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return ClassWrongURL
	case status == http.StatusTooManyRequests:
		return ClassRateLimited
	case status == http.StatusBadGateway:
		return ClassUpstream
	case status == 529:
		return ClassOverloaded
	case status >= 500:
		return ClassServer
	case status >= 400:
		return ClassBadRequest
	}
	return ClassBadAnswer
}

// ClassifyTransport turns an error from the HTTP client (no answer) into a
// Failure: timeout, TLS or network. A cancelled context is returned as is.
func ClassifyTransport(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	f := &Failure{Class: ClassNetwork, Err: err, Message: transportMessage(err)}
	var (
		netErr   net.Error
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		certErr  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		verifErr *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		f.Class = ClassTimeout
	case errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &certErr), errors.As(err, &recErr),
		errors.As(err, &verifErr), strings.Contains(err.Error(), "tls: "):
		f.Class = ClassTLS
	}
	return f
}

// transportMessage keeps the innermost useful words of a transport error,
// without Go's "Get \"URL\":" prefix (the Failure names the endpoint).
func transportMessage(err error) string {
	s := err.Error()
	if i := strings.Index(s, "\": "); i >= 0 && strings.HasPrefix(s, strings.SplitN(s, " ", 2)[0]+" \"") {
		s = s[i+3:]
	}
	return shorten(s, 300)
}

// Printable is an upstream's text made safe to print: secret.Printable,
// with runs of blanks collapsed. Redact before: a key respaced or cut can
// only be recognised by its fragments.
func Printable(s string) string {
	return secret.Printable(strings.Join(strings.Fields(s), " "))
}

// shorten makes s printable and cuts it to about n bytes. Every message
// kept from an upstream goes through it, after the Client redacted the
// answer it came from.
func shorten(s string, n int) string {
	s = Printable(s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
