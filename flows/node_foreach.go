package flows

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// foreach ("Для каждого") runs the steps after it, up to a Collect step, once per item of a
// list: a GetCourse order's positions, a U-ON request's tourists. The list is a reference
// ({{trigger.json.positions}}) or, left empty, the previous step's output, optionally narrowed by
// a path inside it ($.positions, request.0.tourists). Each repeated step gets the item as its
// input, and {{item.…}} (or this step's id) is the item in their fields. How the items run is in
// loop.go.

type forEachConfig struct {
	List string `json:"list"`
	Path string `json:"path"`
}

// Run errors of For each.
const (
	CodeForEachNotList = "foreach.not_list"
	CodeForEachTooMany = "foreach.too_many"
)

func init() {
	Register(KindSpec[forEachConfig]{
		Name:  "foreach",
		Title: T("foreach.title"),
		Help:  T("foreach.help"),
		Loop:  LoopEach,
		Fields: []Field{
			{Key: "list", Type: FieldString, Template: true, Label: T("foreach.list.label"),
				Help: T("foreach.list.help")},
			{Key: "path", Type: FieldString, Path: true, Label: T("foreach.path.label"),
				Help: T("foreach.path.help")},
		},
		Build: buildForEach,
	})
}

func buildForEach(b *Builder, cfg *forEachConfig) Step {
	source := b.TemplateOrNil("list", cfg.List)
	var query *Query
	if p := strings.TrimSpace(cfg.Path); p != "" {
		q, err := ParseQuery(p)
		if err != nil {
			b.Problem("path", CodePathInvalid, Params{"path": p, "detail": err.Error()})
		}
		query = q
	}
	return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) {
		doc, err := parseSource(sc, source)
		if err != nil {
			return nil, err
		}
		if query != nil {
			v, ok := query.Select(doc)
			if !ok {
				return nil, sc.Fail(CodeForEachNotList, Params{"detail": "nothing at " + query.String(), "detail_ru": "по пути «" + query.String() + "» ничего нет"})
			}
			doc = v
		}
		list, ok := doc.([]any)
		if !ok {
			what, whatRu := "a single value, not a list", "одно значение, а не список"
			switch doc.(type) {
			case nil:
				what, whatRu = "nothing", "пусто"
			case map[string]any:
				what, whatRu = "an object, not a list", "объект, а не список"
			case string:
				what, whatRu = "text, not a list", "текст, а не список"
			}
			return nil, sc.Fail(CodeForEachNotList, Params{"detail": "found " + what, "detail_ru": "найдено: " + whatRu})
		}
		if len(list) > MaxLoopItems {
			return nil, sc.Fail(CodeForEachTooMany, Params{"count": fmt.Sprint(len(list)), "max": fmt.Sprint(MaxLoopItems)})
		}
		sc.Log("log.foreach.items", Params{"count": strconv.Itoa(len(list))})
		return list, nil
	})
}
