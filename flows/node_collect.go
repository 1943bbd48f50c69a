package flows

import (
	"context"
	"fmt"
	"strconv"
)

// collect ("Собрать") closes a For each (loop.go): it gathers what each item's steps gave into
// one list and counts the items: {"items": […], "ok": 2, "failed": 1, "skipped": 0, "errors":
// [{"item": 3, "error": "…"}]}. "items" holds the results of the items that went through, in
// the list's order; a filtered item is skipped. When any item failed the step fails (the run
// is failed and retried, and a retry sends only the failed items again), unless it is set to go
// on with the items that went through.

type collectConfig struct {
	OnFailure string `json:"on_failure"`
}

// CodeCollectItemsFailed: some items of the loop failed.
const CodeCollectItemsFailed = "collect.items_failed"

const (
	collectStop     = "stop"
	collectContinue = "continue"
)

func init() {
	Register(KindSpec[collectConfig]{
		Name:  "collect",
		Title: T("collect.title"),
		Help:  T("collect.help"),
		Loop:  LoopCollect,
		Fields: []Field{
			{Key: "on_failure", Type: FieldSelect, Label: T("collect.on_failure.label"),
				Options: []string{collectStop, collectContinue}, Default: collectStop,
				OptionLabels: map[string]Text{
					collectStop:     T("collect.on_failure.option.stop"),
					collectContinue: T("collect.on_failure.option.continue"),
				}},
		},
		Build: func(b *Builder, cfg *collectConfig) Step { return collectStep{goOn: cfg.OnFailure == collectContinue} },
	})
}

type collectStep struct{ goOn bool }

func (st collectStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	items := sc.loop.items
	results := sc.loop.results()
	var errs []any
	counts := map[string]int{}
	var first *ItemTrace
	sc.items = make([]ItemTrace, len(items))
	for i, it := range items {
		counts[it.Status]++
		if it.Status == StatusFailed {
			errs = append(errs, map[string]any{"item": it.Index, "error": it.Error})
			if first == nil {
				first = &items[i]
			}
		}
		sc.items[i] = ItemTrace{Index: it.Index, Status: it.Status, Item: it.Item, Error: it.Error, ErrorText: it.ErrorText, ErrorCode: it.ErrorCode, ErrorParams: it.ErrorParams}
	}
	out := map[string]any{"items": results, "ok": counts[StatusSuccess], "failed": counts[StatusFailed], "skipped": counts[StatusFiltered]}
	if errs != nil {
		out["errors"] = errs
	}
	sc.Log("log.collect.items", Params{"count": strconv.Itoa(len(items)), "ok": strconv.Itoa(counts[StatusSuccess]),
		"failed": strconv.Itoa(counts[StatusFailed]), "skipped": strconv.Itoa(counts[StatusFiltered])})
	if first == nil || st.goOn {
		return out, nil
	}
	params := Params{"failed": fmt.Sprint(counts[StatusFailed]), "total": fmt.Sprint(len(items)), "item": fmt.Sprint(first.Index)}
	errorText := Same(first.Error)
	if first.ErrorText != nil {
		errorText = *first.ErrorText
	}
	params.put("error", errorText)
	params["error"] = first.Error
	return out, sc.Fail(CodeCollectItemsFailed, params)
}
