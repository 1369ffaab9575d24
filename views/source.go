package views

import (
	"regexp"
	"strings"

	"github.com/hubctl/hub/secret"
)

// The user's own files hold keys hub may never have registered as secrets
// (a misspelt apikey is an unsupported argument, so it is never
// evaluated; a sensitive variable's default of the wrong type is refused
// before it is kept), so whatever shows their lines (a diagnostic's
// snippet, hub fmt --diff) hides the values of key positions, sensitive
// variables' defaults and anything shaped like a key, by the text alone:
// the file may not even parse.

var (
	// attrLine is "NAME = VALUE" (HCL) or "NAME: VALUE" in an object.
	attrLine = regexp.MustCompile(`^(\s*"?([A-Za-z_][A-Za-z0-9_.-]*)"?\s*[=:]\s*)(.*)$`)
	// reference is a value that names where the key comes from, worth
	// showing: env("X"), file("x"), var.x, local.x, credential.x.
	reference = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\s*[(.]`)
	// variableOpen starts a variable block.
	variableOpen = regexp.MustCompile(`^\s*variable\s+("[^"]*"|[A-Za-z_][A-Za-z0-9_-]*)\s*\{`)
	sensitiveOn  = regexp.MustCompile(`^\s*sensitive\s*=\s*true\b`)
	heredocStart = regexp.MustCompile(`<<-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$`)
	// inlineString is "NAME = "string"" anywhere in a line (an object
	// written on one line: { token = "..." }).
	inlineString = regexp.MustCompile(`"?([A-Za-z_][A-Za-z0-9_.-]*)"?(\s*[=:]\s*)"(?:[^"\\]|\\.)*"`)
)

// redactSource returns src with the values of key positions (api_key,
// token, password, ... per secret.SensitiveName, in any block), the
// defaults of sensitive variables and every key-shaped token replaced by
// the placeholder, line for line (the line count stays).
func redactSource(src string) string {
	lines := strings.Split(src, "\n")
	hide := make([]bool, len(lines))  // whole line is a value to hide
	value := make([]bool, len(lines)) // the line's value (after =) is hidden
	for i := 0; i < len(lines); i++ {
		if variableOpen.MatchString(lines[i]) {
			end := blockEnd(lines, i)
			sensitive := false
			for j := i + 1; j < end; j++ {
				sensitive = sensitive || sensitiveOn.MatchString(lines[j])
			}
			if sensitive {
				for j := i + 1; j < end; j++ {
					if m := attrLine.FindStringSubmatch(lines[j]); m != nil && m[2] == "default" {
						value[j] = true
					}
				}
			}
		}
		if m := attrLine.FindStringSubmatch(lines[i]); m != nil && secret.SensitiveName(m[2]) && !reference.MatchString(m[3]) {
			value[i] = true
		}
	}
	// A hidden value that goes on over more lines (a heredoc, an object)
	// hides those lines too.
	for i := 0; i < len(lines); i++ {
		if !value[i] {
			continue
		}
		rhs := attrLine.FindStringSubmatch(lines[i])[3]
		if m := heredocStart.FindStringSubmatch(rhs); m != nil {
			for j := i + 1; j < len(lines); j++ {
				hide[j] = true
				if strings.TrimSpace(lines[j]) == m[1] {
					hide[j] = false
					break
				}
			}
			continue
		}
		if depth := strings.Count(rhs, "{") + strings.Count(rhs, "[") - strings.Count(rhs, "}") - strings.Count(rhs, "]"); depth > 0 {
			for j := i + 1; j < len(lines) && depth > 0; j++ {
				depth += strings.Count(lines[j], "{") + strings.Count(lines[j], "[") - strings.Count(lines[j], "}") - strings.Count(lines[j], "]")
				if depth > 0 {
					hide[j] = true
				}
			}
		}
	}
	for i, l := range lines {
		switch {
		case hide[i]:
			lines[i] = leadingSpace(l) + secret.Placeholder
		case value[i]:
			m := attrLine.FindStringSubmatch(l)
			lines[i] = m[1] + secret.Placeholder
		default:
			lines[i] = secret.RedactKeyLike(hideInline(l))
		}
	}
	return strings.Join(lines, "\n")
}

// hideInline hides the strings given to key positions inside a line, such
// as an object on one line: auth = { token = "..." }.
func hideInline(line string) string {
	return inlineString.ReplaceAllStringFunc(line, func(m string) string {
		sub := inlineString.FindStringSubmatchIndex(m)
		if !secret.SensitiveName(m[sub[2]:sub[3]]) {
			return m
		}
		return m[:sub[5]] + secret.Placeholder // up to the "=" and its spaces
	})
}

// blockEnd returns the line of the brace closing the block opened on
// line i (the last line when it is not closed), counting braces outside
// quoted strings.
func blockEnd(lines []string, i int) int {
	depth := 0
	for j := i; j < len(lines); j++ {
		inString := false
		for k := 0; k < len(lines[j]); k++ {
			switch c := lines[j][k]; {
			case c == '\\' && inString:
				k++
			case c == '"':
				inString = !inString
			case c == '{' && !inString:
				depth++
			case c == '}' && !inString:
				depth--
				if depth == 0 {
					return j
				}
			}
		}
	}
	return len(lines) - 1
}

func leadingSpace(s string) string { return s[:len(s)-len(strings.TrimLeft(s, " \t"))] }
