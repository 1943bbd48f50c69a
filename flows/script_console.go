package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// console, the only host object a script gets: what it logs is kept per run, capped in lines
// and length, and shown in the step's log.

func (vm *scriptVM) log(prefix string, args []goja.Value) {
	if len(vm.logs) >= maxConsoleLines {
		vm.dropped++
		return
	}
	var b strings.Builder
	b.WriteString(prefix)
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(consoleString(vm.rt, a))
		if b.Len() > maxConsoleLineBytes {
			break
		}
	}
	line := b.String()
	if len(line) > maxConsoleLineBytes {
		line = cutUTF8(line, maxConsoleLineBytes) + "…"
	}
	vm.logs = append(vm.logs, line)
}

func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// consoleString shows a logged value: text as it is, objects as JSON.
func consoleString(rt *goja.Runtime, v goja.Value) string {
	o, isObj := v.(*goja.Object)
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case !isObj:
		return v.String()
	}
	if _, isFn := goja.AssertFunction(o); isFn {
		return "function"
	}
	switch o.ClassName() {
	case "Error":
		return o.String()
	case "Date":
		if t, ok := o.Export().(time.Time); ok {
			return t.UTC().Format(time.RFC3339Nano)
		}
	}
	c := &fromJS{budget: 16 * maxConsoleLineBytes}
	out, _, err := c.value(o, 0)
	if err != nil {
		var size *scriptSizeError
		if errors.As(err, &size) {
			return "[too large to show]"
		}
		return "[" + err.Error() + "]"
	}
	data, err := json.Marshal(out)
	if err != nil {
		return o.String()
	}
	return string(data)
}

func (vm *scriptVM) takeLogs() []string {
	logs := vm.logs
	if vm.dropped > 0 {
		logs = append(logs, fmt.Sprintf("… %d more console lines not shown", vm.dropped))
	}
	vm.logs, vm.dropped = nil, 0
	return logs
}
