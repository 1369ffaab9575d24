package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/hubctl/hub/engine/vault"
)

// TestImportAllAPIHubWebDAV: hub import all-api-hub reads the extension's
// WebDAV backup (the base URL; hub appends its path), with the WebDAV
// user and password from the usual variables; a wrong password is a
// clear error that never shows the password, and writes nothing.
func TestImportAllAPIHubWebDAV(t *testing.T) {
	srv, user, pass := newDAV()
	defer srv.Close()
	backup, err := os.ReadFile(filepath.Join("..", "..", "engine", "importer", "allapihub", "testdata", "backup-4.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	put := func(method, path string, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %v %v", method, path, err, resp)
		}
		resp.Body.Close()
	}
	put("MKCOL", "/dav/", "")
	put("MKCOL", "/dav/all-api-hub-backup/", "")
	put("PUT", "/dav/all-api-hub-backup/all-api-hub-1-0.json", string(backup))

	h := newHubEnv(t)
	id, _ := age.GenerateX25519Identity()
	h.write("home/.config/hub/identity.txt", id.String()+"\n")
	if _, err := (vault.Repo{Root: h.cfg}).AddRecipients([]string{id.Recipient().String()}, "me"); err != nil {
		t.Fatal(err)
	}
	h.env["HUB_WEBDAV_USER"] = user
	h.env["HUB_WEBDAV_PASSWORD"] = "wrong-" + pass
	r := h.run("import", "all-api-hub", srv.URL+"/dav/")
	r.want(t, 1, "WebDAV refused the user/password")
	if strings.Contains(r.stdout+r.stderr, pass) {
		t.Fatal("the WebDAV password was printed")
	}
	if _, err := os.Stat(filepath.Join(h.cfg, "imported.hcl")); err == nil {
		t.Fatal("a failed import wrote imported.hcl")
	}
	h.env["HUB_WEBDAV_PASSWORD"] = pass
	r = h.run("import", "all-api-hub", srv.URL+"/dav/")
	r.want(t, 0, "Wrote", "7 credentials")
	if strings.Contains(r.stdout+r.stderr, pass) {
		t.Fatal("the WebDAV password was printed")
	}
	h.run("plan", "--detailed-exitcode").want(t, 0, "No changes")
}
