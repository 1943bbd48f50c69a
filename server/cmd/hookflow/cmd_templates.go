package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/hookflow/hookflow/flows"
)

func cmdTemplates(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		for _, t := range flows.Templates() {
			fmt.Fprintf(stdout, "%-24s %s\n", t.ID, t.Title.In("en"))
		}
		return 0
	}
	t, ok := flows.TemplateByID(args[0])
	if !ok {
		fmt.Fprintf(stderr, "there is no template %q; `hookflow templates` lists them\n", args[0])
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(t.Flow); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
