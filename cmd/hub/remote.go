package main

import (
	"fmt"
	"os"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/crypt"
	"github.com/hubctl/hub/engine/states/webdav"
)

// remoteStore opens the remote store a backend names, with its codec.
func (a *app) remoteStore(be *config.Backend) (states.Store, error) {
	codec, err := codecFor(be.Encrypt)
	if err != nil {
		return nil, err
	}
	history := be.History
	if history == 0 {
		history = -1 // webdav.Options: 0 means its default; the block said none
	}
	doc, err := webdav.New(webdav.Options{URL: be.URL, Username: be.Username, Password: be.Password,
		Path: be.Path, History: history, LockTTL: be.LockTTL})
	if err != nil {
		return nil, err
	}
	return &states.DocStore{Blob: doc, Codec: codec}, nil
}

// codecFor builds the state encryption an encrypt block asks for (nil: none).
func codecFor(e *config.Encrypt) (states.Codec, error) {
	switch {
	case e == nil:
		return nil, nil
	case e.Passphrase != "":
		return crypt.NewPassphrase(e.Passphrase)
	}
	data, err := os.ReadFile(e.IdentityFile)
	if err != nil {
		return nil, fmt.Errorf("state encryption: read identity file: %w (create one with age-keygen -o %s)", err, e.IdentityFile)
	}
	ids, err := crypt.ParseIdentityFile(data)
	if err != nil {
		return nil, fmt.Errorf("state encryption: %s: %w", e.IdentityFile, err)
	}
	return crypt.NewRecipients(e.Recipients, ids)
}
