package flows

import (
	"context"
	"fmt"
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
	addMessages(map[string]Text{
		CodeCollectItemsFailed: {"{failed} of {total} items failed, the first: item {item}: {error}. The others went through; a retry sends only the failed items again",
			"не прошли элементы: {failed} из {total}, первый — элемент {item}: {error_ru}. Остальные прошли; при повторе заново отправятся только не прошедшие"},
	})
	Register(KindSpec[collectConfig]{
		Name:  "collect",
		Title: Text{"Collect", "Собрать"},
		Help: Text{
			"Ends the steps repeated by For each: gathers each item's result into one list and counts the items that went through and those that failed.",
			"Завершает шаги, повторяемые «Для каждого»: собирает результаты всех элементов в один список и считает, сколько элементов прошло и сколько нет.",
		},
		Loop: LoopCollect,
		Fields: []Field{
			{Key: "on_failure", Type: FieldSelect, Label: Text{"When some items failed", "Если часть элементов не прошла"},
				Options: []string{collectStop, collectContinue}, Default: collectStop,
				OptionLabels: map[string]Text{
					collectStop:     {"the run is failed and retried later (only the failed items are sent again)", "выполнение с ошибкой и повторяется позже (заново отправятся только не прошедшие)"},
					collectContinue: {"go on with the items that went through", "продолжить с прошедшими элементами"},
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
	sc.Logf("%d item(s): %d went through, %d failed, %d skipped", len(items), counts[StatusSuccess], counts[StatusFailed], counts[StatusFiltered])
	if first == nil || st.goOn {
		return out, nil
	}
	ru := first.Error
	if first.ErrorText != nil {
		ru = first.ErrorText.Ru
	}
	return out, sc.Fail(CodeCollectItemsFailed, Params{"failed": fmt.Sprint(counts[StatusFailed]), "total": fmt.Sprint(len(items)),
		"item": fmt.Sprint(first.Index), "error": first.Error, "error_ru": ru})
}
