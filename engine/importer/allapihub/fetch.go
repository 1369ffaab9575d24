package allapihub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/hubctl/hub/engine/states/webdav"
)

// BackupPath is where All API Hub keeps its backup below the WebDAV url of
// its settings, unless that url names a .json file itself ("1-0" is the
// path's version, not the backup's).
const BackupPath = "all-api-hub-backup/all-api-hub-1-0.json"

// fetchTimeout bounds each request.
var fetchTimeout = 30 * time.Second

// Fetch downloads the backup from WebDAV, with basic auth user/pass, as
// the extension finds it: rawURL is used as it is when its path ends in
// .json (any case), otherwise BackupPath is appended to it. It goes
// through hub's WebDAV client (engine/states/webdav: basic auth on every
// request, a timeout per request, one retry, same-origin redirects only so
// the password never goes elsewhere). Errors name the server without
// credentials and never hold the password.
func Fetch(ctx context.Context, rawURL, user, pass string) ([]byte, error) {
	dir, file, shown, err := split(rawURL)
	if err != nil {
		return nil, err
	}
	st, err := webdav.New(webdav.Options{URL: dir, Username: user, Password: pass, Path: file, Timeout: fetchTimeout})
	if err != nil {
		return nil, fmt.Errorf("all-api-hub WebDAV backup: %w", err)
	}
	got, err := st.Read(ctx)
	if err != nil {
		var we *webdav.Error
		switch {
		case errors.As(err, &we) && we.Status == http.StatusUnauthorized:
			return nil, &fetchError{err: err, msg: fmt.Sprintf("all-api-hub WebDAV backup %s: WebDAV refused the user/password (401 Unauthorized): "+
				"give the username and password of All API Hub's WebDAV settings (Nutstore/Jianguoyun: the app password from its security settings, "+
				"not the account password; it also answers 401 for a while after too many requests)", shown)}
		case errors.As(err, &we) && we.Status == 0:
			return nil, fmt.Errorf("all-api-hub WebDAV backup: cannot reach the WebDAV server %s: %w", hostOf(shown), err)
		}
		return nil, fmt.Errorf("all-api-hub WebDAV backup %s: %w", shown, err)
	}
	if !got.Found {
		return nil, fmt.Errorf("all-api-hub WebDAV backup: %s does not exist on the server (404): All API Hub writes %s below the WebDAV url of its settings (or the .json url given there); give that url, and check that the extension has synced once", shown, BackupPath)
	}
	return got.Data, nil
}

// fetchError says what went wrong in its own words, and keeps the WebDAV
// error underneath for errors.As.
type fetchError struct {
	msg string
	err error
}

func (e *fetchError) Error() string { return e.msg }
func (e *fetchError) Unwrap() error { return e.err }

// split turns the user's URL into the server folder, the file below it,
// and the file's URL for messages (no credentials).
func split(rawURL string) (dir, file, shown string, err error) {
	s := strings.TrimSpace(rawURL)
	u, perr := url.Parse(s)
	if perr != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		// url.Parse's message repeats the URL, password and all.
		return "", "", "", errors.New("all-api-hub WebDAV backup: the url is not an http(s) URL naming a server")
	}
	p := u.Path
	if strings.HasSuffix(strings.ToLower(p), ".json") {
		d, f := path.Split(p)
		u.Path, u.RawPath, file = d, "", f
	} else {
		file = BackupPath
	}
	dir = u.String()
	shownURL := *u
	shownURL.User = nil
	shownURL.RawQuery, shownURL.Fragment = "", ""
	shown = strings.TrimSuffix(shownURL.String(), "/") + "/" + file
	return dir, file, shown, nil
}

// hostOf returns scheme://host of a URL for messages.
func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable url)"
	}
	return u.Scheme + "://" + u.Host
}
