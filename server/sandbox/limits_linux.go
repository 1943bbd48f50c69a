package sandbox

import (
	"os/exec"
	"syscall"
)

// childAttrs makes the child die with the server.
func childAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// limitData caps the process's data segment (the Go heap lives there) at limit plus room for
// the runtime; an allocation beyond fails, and the Go runtime ends the process with "out of
// memory". Under the race detector the shadow memory would not fit, so it is left out there.
func limitData(limit int64) {
	if raceEnabled {
		return
	}
	l := uint64(limit + limit/2)
	_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: l, Max: l})
}

// lowerPriority makes a process that runs long yield the CPU to the others.
func lowerPriority(pid int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, pid, 10)
}
