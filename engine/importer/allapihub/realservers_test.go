package allapihub

// Fetch against the real WebDAV servers of scripts/webdav-servers.sh
// (rclone serve webdav and Apache mod_dav on 127.0.0.1), found as
// engine/states/webdav's real-server tests find them: without
// HUB_WEBDAV_RCLONE_URL / HUB_WEBDAV_APACHE_URL the test skips, and fails
// instead when HUB_WEBDAV_REQUIRE is set (make webdav-e2e). By hand:
//
//	scripts/webdav-servers.sh start && eval "$(scripts/webdav-servers.sh env)"
//	go test ./engine/importer/allapihub/ -run RealServers -v
//	scripts/webdav-servers.sh stop

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRealServersAllAPIHub(t *testing.T) {
	type server struct{ name, url string }
	var servers []server
	for _, s := range []struct{ name, env string }{{"rclone", "HUB_WEBDAV_RCLONE_URL"}, {"apache", "HUB_WEBDAV_APACHE_URL"}} {
		if u := os.Getenv(s.env); u != "" {
			servers = append(servers, server{s.name, strings.TrimSuffix(u, "/") + "/"})
		}
	}
	if len(servers) == 0 && os.Getenv("HUB_WEBDAV_REQUIRE") != "" {
		t.Fatal("HUB_WEBDAV_REQUIRE is set but neither HUB_WEBDAV_RCLONE_URL nor HUB_WEBDAV_APACHE_URL is: the servers did not start")
	}
	if len(servers) == 0 {
		t.Skip(`no real WebDAV server: scripts/webdav-servers.sh start && eval "$(scripts/webdav-servers.sh env)" to run this`)
	}
	user, pass := os.Getenv("HUB_WEBDAV_USER"), os.Getenv("HUB_WEBDAV_PASSWORD")
	plain := readTestdata(t, "backup-4.0.json")
	want, err := Parse(plain, "b", nil)
	if err != nil {
		t.Fatal(err)
	}
	const backupPassword = "test-backup-password"
	env := encryptForTest(t, plain, backupPassword, 250_000)

	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			ctx := context.Background()
			b := make([]byte, 6)
			rand.Read(b)
			run := srv.url + "hubtest-aah-" + hex.EncodeToString(b) + "/"
			do := func(method, u string, body []byte) int {
				t.Helper()
				req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.SetBasicAuth(user, pass)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v", method, u, err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			t.Cleanup(func() { do("DELETE", run, nil) })
			// The extension's layout: MKCOL the folder, PUT the file.
			for _, dir := range []string{run, run + "all-api-hub-backup/"} {
				if s := do("MKCOL", dir, nil); s != http.StatusCreated {
					t.Fatalf("MKCOL %s: %d", dir, s)
				}
			}
			if s := do(http.MethodPut, run+BackupPath, env); s != http.StatusCreated && s != http.StatusNoContent && s != http.StatusOK {
				t.Fatalf("PUT: %d", s)
			}

			for _, u := range []string{run, strings.TrimSuffix(run, "/"), run + BackupPath} {
				data, err := Fetch(ctx, u, user, pass)
				if err != nil {
					t.Fatalf("Fetch(%s): %v", u, err)
				}
				got, err := Parse(data, u, func() (string, error) { return backupPassword, nil })
				if err != nil {
					t.Fatal(err)
				}
				got.Source = want.Source
				if d := cmp.Diff(string(render(t, want)), string(render(t, got))); d != "" {
					t.Errorf("%s reads differently (-plain +fetched):\n%s", u, d)
				}
			}

			_, err := Fetch(ctx, run, user, "test-wrong-password")
			if err == nil || !strings.Contains(err.Error(), "WebDAV refused the user/password") {
				t.Errorf("wrong password: err = %v", err)
			}
			_, err = Fetch(ctx, run+"nothing/", user, pass)
			if err == nil || !strings.Contains(err.Error(), "nothing/all-api-hub-backup/all-api-hub-1-0.json does not exist on the server (404)") {
				t.Errorf("missing: err = %v", err)
			}
			if err != nil && pass != "" && strings.Contains(err.Error(), pass) {
				t.Errorf("error shows the password: %v", err)
			}
			data, err := Fetch(ctx, run, user, pass)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(data, run, func() (string, error) { return "not-it", nil }); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong backup password: err = %v", err)
			}
		})
	}
}
