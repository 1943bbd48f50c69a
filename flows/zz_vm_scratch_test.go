package flows

import (
	"testing"
	"github.com/dop251/goja"
)

func BenchmarkVMParts(b *testing.B) {
	s, _ := compileScript("x", "return 1", scriptBody)
	b.Run("goja.New", func(b *testing.B) { for b.Loop() { goja.New() } })
	b.Run("newVM", func(b *testing.B) { for b.Loop() { s.newVM() } })
}
