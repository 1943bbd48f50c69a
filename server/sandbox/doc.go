// Package sandbox runs user JavaScript in child processes of the server's own binary, so that a
// script the engine cannot interrupt (one native call on a huge value, a backtracking regular
// expression) is stopped by killing its process, and what it allocates is bounded by the
// process's limits rather than taken from the server.
//
// A Pool keeps up to Size processes. Each runs one script at a time: the parent writes a job
// (flows.ScriptJob, length-prefixed JSON) to its stdin and reads the outcome from its stdout.
// The parent kills the process when the script runs past its time limit plus Grace (from the
// moment the process reports that the script started, as the in-process limit counts), when its
// resident memory passes MemoryLimit (sampled every few milliseconds), or when the run is
// canceled; on Linux the child also caps its own data segment (RLIMIT_DATA) so that a burst
// between two samples ends in the child's allocation failure, not in the server's. A killed or
// dead process is replaced by a new one on the next job.
//
// Inside the process the engine's own guards still apply (time limit, memory watchdog, size
// checks of built-ins), so most scripts end with the same messages as in the server; the kill is
// the backstop. The child gets no environment from the server (no secrets, no database URL).
//
// This package imports flows and nothing of the server; the server's command starts the child
// with `hookflow js-sandbox`, tests by re-running their own binary with EnvChild set.
package sandbox
