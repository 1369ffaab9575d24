package allapihub

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/webdav"

	davclient "github.com/hubctl/hub/engine/states/webdav"
)

const (
	davUser = "hub"
	davPass = "test-dav-password-Zq9"
)

// davServer serves dir over WebDAV on 127.0.0.1 with basic auth.
func davServer(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	h := &webdav.Handler{FileSystem: webdav.Dir(dir), LockSystem: webdav.NewMemLS()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != davUser || p != davPass {
			w.Header().Set("WWW-Authenticate", `Basic realm="dav"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// noPassword fails if err shows the WebDAV password.
func noPassword(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), davPass) {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestFetch(t *testing.T) {
	dir := t.TempDir()
	backup := readTestdata(t, "backup-4.0.json")
	writeFile(t, filepath.Join(dir, "dav", "all-api-hub-backup", "all-api-hub-1-0.json"), backup)
	other := encryptForTest(t, backup, "test-backup-password", 1000)
	writeFile(t, filepath.Join(dir, "dav", "mine", "Backup.JSON"), other)
	srv := davServer(t, dir)
	ctx := context.Background()

	for _, tc := range []struct {
		name, url string
		want      []byte
	}{
		{"base url", srv.URL + "/dav", backup},
		{"base url with slash", srv.URL + "/dav/", backup},
		{"json url", srv.URL + "/dav/all-api-hub-backup/all-api-hub-1-0.json", backup},
		{"other json url", srv.URL + "/dav/mine/Backup.JSON", other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Fetch(ctx, tc.url, davUser, davPass)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(tc.want) {
				t.Errorf("Fetch returned %d bytes, not the backup's %d", len(got), len(tc.want))
			}
		})
	}

	t.Run("credentials in the url", func(t *testing.T) {
		u := strings.Replace(srv.URL, "http://", "http://"+davUser+":"+davPass+"@", 1) + "/dav"
		got, err := Fetch(ctx, u, "", "")
		if err != nil || string(got) != string(backup) {
			t.Fatalf("Fetch = %d bytes, %v", len(got), err)
		}
	})

	t.Run("fetched encrypted backup parses", func(t *testing.T) {
		got, err := Fetch(ctx, srv.URL+"/dav/mine/Backup.JSON", davUser, davPass)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(got, srv.URL+"/dav/mine/Backup.JSON", func() (string, error) { return "test-backup-password", nil })
		if err != nil || len(r.Found) != 7 {
			t.Fatalf("Parse = %d found, %v", len(r.Found), err)
		}
	})

	t.Run("401", func(t *testing.T) {
		_, err := Fetch(ctx, srv.URL+"/dav", davUser, "test-wrong-password")
		if err == nil || !strings.Contains(err.Error(), "WebDAV refused the user/password") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "test-wrong-password") {
			t.Errorf("error shows the password: %v", err)
		}
		var we *davclient.Error
		if !errors.As(err, &we) || we.Status != http.StatusUnauthorized {
			t.Errorf("err = %#v, want it to wrap the WebDAV client's 401", err)
		}
		u := strings.Replace(srv.URL, "http://", "http://"+davUser+":"+"test-wrong-password"+"@", 1) + "/dav"
		_, err = Fetch(ctx, u, "", "")
		if err == nil || !strings.Contains(err.Error(), "WebDAV refused the user/password") || strings.Contains(err.Error(), "test-wrong-password") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("404", func(t *testing.T) {
		_, err := Fetch(ctx, srv.URL+"/elsewhere", davUser, davPass)
		want := srv.URL + "/elsewhere/all-api-hub-backup/all-api-hub-1-0.json does not exist on the server (404): All API Hub writes all-api-hub-backup/all-api-hub-1-0.json"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want one containing %q", err, want)
		}
		noPassword(t, err)
		_, err = Fetch(ctx, srv.URL+"/dav/missing.json", davUser, davPass)
		if err == nil || !strings.Contains(err.Error(), srv.URL+"/dav/missing.json does not exist") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("bad url", func(t *testing.T) {
		for _, u := range []string{"", "ftp://x.example.com/dav", "http://" + davUser + ":" + davPass + "@%zz/", "dav.example.com/dav"} {
			_, err := Fetch(ctx, u, davUser, davPass)
			if err == nil {
				t.Errorf("Fetch(%q) succeeded", u)
			}
			noPassword(t, err)
		}
		_, err := Fetch(ctx, srv.URL+"/dav?token="+davPass, davUser, davPass)
		if err == nil || !strings.Contains(err.Error(), "must not have a query") {
			t.Errorf("err = %v", err)
		}
		noPassword(t, err)
	})
}

// TestFetchUnreachable: a closed port is an error naming the host, never
// the password.
func TestFetchUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := "http://" + davUser + ":" + davPass + "@" + addr + "/dav"
	_, err = Fetch(ctx, u, "", "")
	if err == nil || !strings.Contains(err.Error(), "cannot reach the WebDAV server http://"+addr) {
		t.Fatalf("err = %v", err)
	}
	noPassword(t, err)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a closed port took until the deadline: %v", err)
	}
}
