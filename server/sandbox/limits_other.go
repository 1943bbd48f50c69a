//go:build !linux

package sandbox

import "os/exec"

func childAttrs(*exec.Cmd) {}

func limitData(int64) {}

func lowerPriority(int) {}
