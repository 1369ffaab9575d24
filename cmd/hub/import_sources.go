package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) importCCSwitchCommand(f *importFlags) *cobra.Command {
	return &cobra.Command{Use: "cc-switch [DB_OR_CONFIG_JSON]", Short: "Import CC Switch's providers", Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return errors.New("not yet") }}
}

func (a *app) importAllAPIHubCommand(f *importFlags) *cobra.Command {
	return &cobra.Command{Use: "all-api-hub FILE_OR_WEBDAV_URL", Short: "Import an All API Hub backup", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return errors.New("not yet") }}
}
