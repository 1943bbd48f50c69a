package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/hookflow/hookflow/flows"
)

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	inputsPath := fs.String("inputs", "", "also check that required settings have values (JSON object)")
	asJSON := fs.Bool("json", false, "print problems as JSON")
	lang := fs.String("lang", "en", "language of messages: en or ru")
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "validate needs one flow file: hookflow validate FLOW.json")
		return 2
	}
	flow, err := readFlow(fs.Arg(0))
	if err != nil {
		return printError(stderr, *lang, err)
	}
	var lookup func(string) (string, bool)
	if *inputsPath != "" {
		inputs, err := readInputs(*inputsPath)
		if err != nil {
			return printError(stderr, *lang, err)
		}
		lookup = func(k string) (string, bool) { v, ok := inputs[k]; return v, ok }
	}
	problems := flows.Validate(flow, lookup)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if problems == nil {
			problems = flows.Problems{}
		}
		_ = enc.Encode(map[string]any{"ok": len(problems) == 0, "problems": problems})
	} else if len(problems) == 0 {
		fmt.Fprintf(stdout, "✓ %s: no problems\n", flow.Name)
	} else {
		printError(stdout, *lang, problems)
	}
	if len(problems) > 0 {
		return 1
	}
	return 0
}

// reorderFlags lets flags follow the file name: "validate f.json --json".
func reorderFlags(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if (a == "--inputs" || a == "-inputs" || a == "--lang" || a == "-lang") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}
