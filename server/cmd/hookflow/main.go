// Command hookflow is the hookflow service and its command-line tools.
//
//	hookflow serve [flags]
//	hookflow run --flow f.json --payload p.json [--inputs i.json] [--dry-run] [--json] [--smtp-url URL]
//	hookflow validate f.json
//	hookflow templates [ID]
//	hookflow backup FILE | hookflow restore FILE
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hookflow/hookflow/server/sandbox"
)

func main() {
	// SIGTERM is how service managers and containers ask a server to stop: stop gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runCLI(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `hookflow — connect the services you use, without code.

Commands:
  hookflow serve [--addr :8080] [--data-dir ./data] [--database-url postgres://…] [--public-url URL] [--smtp-url URL] [--workers 8]
      Run the service: webhooks, workers, journal and the API. Every flag also reads HOOKFLOW_*.
  hookflow run --flow FLOW.json --payload REQUEST.json [--inputs INPUTS.json] [--dry-run] [--json] [--lang ru] [--smtp-url URL]
      Run a flow once against a sample request and print what each step did.
      --dry-run sends no HTTP request: each HTTP step shows what it would send and continues
      with its sample_response.
  hookflow validate FLOW.json [--inputs INPUTS.json] [--json] [--lang ru]
      Check a flow and list every problem at once.
  hookflow templates [ID]
      List the built-in templates, or print one as a flow file.
  hookflow backup FILE [--data-dir ./data]
      Copy the SQLite database to FILE while the server runs (PostgreSQL: prints the pg_dump line).
  hookflow restore FILE [--data-dir ./data]
      Put a backup in place of the database; refused while a server uses the data directory.

A request sample looks like {"method":"GET","query":"email=a%40b.c&phone=%2B7999","headers":{},"body":""}.
Inputs are a JSON object of the flow's settings: {"api_key":"…"}.
`

// runCLI is main without the process: it returns the exit code.
func runCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr)
	case "run":
		return cmdRun(ctx, args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "templates":
		return cmdTemplates(args[1:], stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return cmdRestore(ctx, args[1:], stdout, stderr)
	case "dev": // not in the usage: tools for developers that write made-up data
		return cmdDev(ctx, args[1:], stdout, stderr)
	case "js-sandbox": // not in the usage: the server starts it to run JavaScript steps
		return sandbox.Main()
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
