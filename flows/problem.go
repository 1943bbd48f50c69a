package flows

import (
	"sort"
	"strings"
)

// Params are the named values a problem's sentence is built from; the editor uses them to show
// the same problem in another language.
type Params map[string]string

// Problem is one thing wrong with a flow or one reason a step failed: a stable code, the node and
// config field it concerns, its parameters and a sentence a marketer understands.
type Problem struct {
	Code    string `json:"code"`
	Node    string `json:"node,omitempty"`
	Field   string `json:"field,omitempty"`
	Params  Params `json:"params,omitempty"`
	Message string `json:"message"`
}

func (p *Problem) Error() string {
	if p.Message == "" {
		return p.Text("en")
	}
	return p.Message
}

// Text renders the problem's sentence in lang.
func (p *Problem) Text(lang string) string {
	return Message(p.Code, lang, p.Params)
}

// Problems is every problem found at once; as an error it reads as one sentence per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i := range ps {
		lines[i] = ps[i].Error()
	}
	return strings.Join(lines, "\n")
}

// problemAt builds a problem about a node's field; node may be nil for flow-level problems.
func problemAt(n *Node, field, code string, params Params) Problem {
	p := Problem{Code: code, Field: field, Params: Params{}}
	for k, v := range params {
		p.Params[k] = v
	}
	if n != nil {
		p.Node = n.ID
		p.Params["node"] = n.Label()
		if k, ok := kindByName(n.Kind); ok {
			p.Params["kind"] = k.Title.En
			p.Params["kind_ru"] = k.Title.Ru
		} else {
			p.Params["kind"] = "Step"
			p.Params["kind_ru"] = "Шаг"
		}
	}
	if field != "" {
		if _, ok := p.Params["field"]; !ok {
			p.Params["field"] = field
		}
	}
	p.Message = Message(code, "en", p.Params)
	return p
}

// Message renders the sentence for code in lang ("en" or "ru") with {name} placeholders filled.
// A sentence about a node starts with the node's kind and name: "HTTP request 'send': URL is empty".
func Message(code, lang string, params Params) string {
	t, ok := messages[code]
	if !ok {
		t = Text{En: code, Ru: code}
	}
	s := t.In(lang)
	if _, about := params["node"]; about {
		// "HTTP request 'send': …" / "HTTP-запрос «send»: …"
		kind, open, closing := params["kind"], "'", "'"
		if lang == "ru" {
			open, closing = "«", "»"
			if params["kind_ru"] != "" {
				kind = params["kind_ru"]
			}
		}
		s = kind + " " + open + params["node"] + closing + ": " + s
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, "{"+k+"}", params[k])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Problem codes. They are part of the API: the editor translates them.
const (
	CodeDocumentSyntax   = "document.syntax"
	CodeDocumentType     = "document.type"
	CodeDocumentTooLarge = "document.too_large"
	CodeSchemaVersion    = "flow.schema_version"
	CodeNoNodes          = "flow.no_nodes"
	CodeNoTrigger        = "flow.no_trigger"
	CodeManyTriggers     = "flow.many_triggers"
	CodeCycle            = "flow.cycle"
	CodeInputKeyEmpty    = "flow.input_key_empty"
	CodeInputDuplicate   = "flow.input_duplicate"
	CodeInputMissing     = "flow.input_missing"

	CodeNodeIDEmpty      = "node.id_empty"
	CodeNodeIDDuplicate  = "node.id_duplicate"
	CodeNodeIDReserved   = "node.id_reserved"
	CodeNodeIDInvalid    = "node.id_invalid"
	CodeUnknownKind      = "node.unknown_kind"
	CodeTriggerHasInput  = "node.trigger_has_input"
	CodeUnreachable      = "node.unreachable"
	CodeConfigInvalid    = "node.config_invalid"
	CodeConfigType       = "node.config_type"
	CodeFieldRequired    = "node.field_required"
	CodeFieldOption      = "node.field_option"
	CodeFieldRange       = "node.field_range"
	CodeTemplateSyntax   = "node.template_syntax"
	CodeRefNotUpstream   = "node.ref_not_upstream"
	CodeRefUnknownInput  = "node.ref_unknown_input"
	CodeRefUnknownRoot   = "node.ref_unknown_root"
	CodeUnknownPipe      = "node.unknown_pipe"
	CodeEdgeUnknownNode  = "edge.unknown_node"
	CodeEdgeSelf         = "edge.self"
	CodeEdgeBranch       = "edge.branch"
	CodeEdgeDuplicate    = "edge.duplicate"
	CodeEdgeIntoTrigger  = "edge.into_trigger"
	CodeScriptSyntax     = "js.syntax"
	CodeRegexInvalid     = "filter.regex_invalid"
	CodePathInvalid      = "json_parse.path_invalid"
	CodeURLInvalid       = "http.url_invalid"
	CodeStatusRange      = "http.status_range"
	CodeFieldKeyEmpty    = "node.field_key_empty"
	CodeFieldKeyRepeated = "node.field_key_repeated"

	// Run errors.
	CodeRunCanceled       = "run.canceled"
	CodeRunInputMissing   = "run.input_missing"
	CodePayloadInvalid    = "run.payload_invalid"
	CodeTriggerFieldEmpty = "webhook.field_missing"
	CodeHTTPNetwork       = "http.network"
	CodeHTTPTimeout       = "http.timeout"
	CodeHTTPStatus        = "http.status"
	CodeHTTPRejected      = "http.rejected"
	CodeHTTPCondition     = "http.condition_error"
	CodeHTTPTooLarge      = "http.response_too_large"
	CodeHTTPBadRequest    = "http.bad_request"
	CodeHTTPRetryAfter    = "http.retry_after_too_long"
	CodeJSONNotJSON       = "json_parse.not_json"
	CodeJSError           = "js.error"
	CodeJSTimeout         = "js.timeout"
	CodeJSTooLarge        = "js.too_large"
	CodeFilterError       = "filter.error"
	CodeSetValue          = "set.value"
	CodeNodeFailed        = "node.failed"

	CodeHTTPBodyNotJSON    = "http.body_not_json"
	CodeHTTPRejectedEmpty  = "http.rejected_empty"
	CodeHTTPHeaderName     = "http.header_name"
	CodeFilterEmpty        = "filter.empty"
	CodeFilterBoth         = "filter.both"
	CodeFilterValueMissing = "filter.value_missing"
	CodeFilterNotNumber    = "filter.not_number"
	CodeRoutesEmpty        = "route.none"
	CodeRouteNoRules       = "route.no_rules"
	CodeRouteID            = "route.id"
	CodeJSRecursion        = "js.recursion"
	CodeURLDenied          = "http.url_denied"
	CodeHTTPDenied         = "http.denied"
	CodeJSMemory           = "js.memory"
	CodeHTTPRuleFailed     = "http.rule_failed"
)

// A preview's HTTP step: nothing was sent, so its success check is of a sample answer.
const (
	CodeHTTPPreviewNoAnswer = "http.preview_no_answer"
	CodeHTTPPreviewStatus   = "http.preview_status"
	CodeHTTPPreviewRejected = "http.preview_rejected"
)

// addMessages adds the sentences of a kind's own problem codes; a code may be added once.
func addMessages(m map[string]Text) {
	for code, t := range m {
		if _, dup := messages[code]; dup {
			panic("flows: message for " + code + " added twice")
		}
		messages[code] = t
	}
}

var messages = map[string]Text{
	CodeDocumentSyntax:   {"the flow file is not valid JSON (line {line}, column {column}): {detail}", "файл процесса — не корректный JSON (строка {line}, позиция {column}): {detail}"},
	CodeDocumentType:     {"the flow file has a wrong value in '{field}': expected {expected}, found {got}", "в файле процесса неверное значение «{field}»: ожидалось {expected}, а указано {got}"},
	CodeDocumentTooLarge: {"the flow file is larger than {limit} MB", "файл процесса больше {limit} МБ"},
	CodeSchemaVersion:    {"this flow was made by a newer hookflow (format {version}); update hookflow to open it", "процесс создан более новой версией hookflow (формат {version}); обновите hookflow"},
	CodeNoNodes:          {"the flow has no steps yet; start with a webhook trigger", "в процессе нет шагов; начните с вебхука"},
	CodeNoTrigger:        {"the flow has no trigger; add a webhook so that data can arrive, or a schedule to run it by the clock", "в процессе нет источника данных; добавьте вебхук, чтобы данные могли поступать, или расписание, чтобы запускать его по времени"},
	CodeManyTriggers:     {"the flow has {count} triggers ({nodes}); keep exactly one", "в процессе {count} источника данных ({nodes}); оставьте один"},
	CodeCycle:            {"steps {nodes} are connected in a circle; a flow must go one way from the trigger", "шаги {nodes} соединены по кругу; процесс должен идти в одну сторону от источника"},
	CodeInputKeyEmpty:    {"setting number {index} has no key", "у настройки №{index} нет ключа"},
	CodeInputDuplicate:   {"the setting '{key}' is declared twice", "настройка «{key}» объявлена дважды"},
	CodeInputMissing:     {"the setting '{label}' ({key}) is required but empty", "настройка «{label}» ({key}) обязательна, но не заполнена"},

	CodeNodeIDEmpty:      {"a step has no id", "у шага нет идентификатора"},
	CodeNodeIDDuplicate:  {"two steps have the same id '{id}'", "у двух шагов одинаковый идентификатор «{id}»"},
	CodeNodeIDReserved:   {"the id '{id}' is reserved; choose another", "идентификатор «{id}» зарезервирован; выберите другой"},
	CodeNodeIDInvalid:    {"the id '{id}' may contain only letters, digits, '_' and '-'", "идентификатор «{id}» может содержать только буквы, цифры, «_» и «-»"},
	CodeUnknownKind:      {"hookflow has no step of type '{kind_name}'", "в hookflow нет шага типа «{kind_name}»"},
	CodeTriggerHasInput:  {"the trigger cannot receive a connection from another step", "к источнику данных нельзя подключить другой шаг"},
	CodeUnreachable:      {"this step is not connected to the trigger, so it would never run", "шаг не связан с источником данных и никогда не выполнится"},
	CodeConfigInvalid:    {"the settings are not readable: {detail}", "настройки не читаются: {detail}"},
	CodeConfigType:       {"{label} must be {expected}", "{label_ru}: ожидается {expected_ru}"},
	CodeFieldRequired:    {"{label} is empty", "не заполнено поле «{label_ru}»"},
	CodeFieldOption:      {"{label} must be one of {options}, not '{value}'", "{label_ru}: допустимы {options}, а указано «{value}»"},
	CodeFieldRange:       {"{label} must be between {min} and {max}", "{label_ru}: значение должно быть от {min} до {max}"},
	CodeTemplateSyntax:   {"{label} has a broken {{…}} reference: {detail}", "{label_ru}: ошибка в подстановке {{…}}: {detail}"},
	CodeRefNotUpstream:   {"{label} uses '{ref}', but step '{target}' does not run before this one", "{label_ru}: используется «{ref}», но шаг «{target}» не выполняется раньше этого"},
	CodeRefUnknownInput:  {"{label} uses the setting '{key}', which the flow does not declare", "{label_ru}: используется настройка «{key}», которой нет в процессе"},
	CodeRefUnknownRoot:   {"{label} uses '{ref}', but there is no step '{target}'", "{label_ru}: используется «{ref}», но шага «{target}» нет"},
	CodeUnknownPipe:      {"{label} uses an unknown function '{pipe}'", "{label_ru}: неизвестная функция «{pipe}»"},
	CodeEdgeUnknownNode:  {"a connection goes from '{from}' to '{to}', but step '{missing}' does not exist", "связь ведёт из «{from}» в «{to}», но шага «{missing}» нет"},
	CodeEdgeSelf:         {"a connection goes from this step to itself", "связь ведёт из шага в него же"},
	CodeEdgeBranch:       {"the connection to '{to}' is marked with the branch '{branch}', which this step does not have", "связь в «{to}» помечена веткой «{branch}», которой у этого шага нет"},
	CodeEdgeDuplicate:    {"'{from}' is connected to '{to}' twice", "«{from}» соединён с «{to}» дважды"},
	CodeEdgeIntoTrigger:  {"'{from}' is connected into the trigger", "«{from}» подключён к источнику данных"},
	CodeScriptSyntax:     {"the JavaScript has an error: {detail}", "ошибка в коде JavaScript: {detail}"},
	CodeRegexInvalid:     {"{label}: the pattern '{pattern}' is not a valid regular expression", "{label_ru}: шаблон «{pattern}» — неверное регулярное выражение"},
	CodePathInvalid:      {"{label}: the path '{path}' cannot be read: {detail}", "{label_ru}: путь «{path}» не читается: {detail}"},
	CodeURLInvalid:       {"the URL '{url}' is not a web address (it must start with http:// or https://)", "адрес «{url}» не похож на веб-адрес (должен начинаться с http:// или https://)"},
	CodeStatusRange:      {"the lowest success status {min} is above the highest {max}", "минимальный успешный статус {min} больше максимального {max}"},
	CodeFieldKeyEmpty:    {"{label} number {index} has no name", "{label_ru}: у строки №{index} нет названия"},
	CodeFieldKeyRepeated: {"{label}: the name '{key}' is used twice", "{label_ru}: название «{key}» использовано дважды"},

	CodeRunCanceled:        {"the run was stopped before it finished", "выполнение остановлено до завершения"},
	CodeRunInputMissing:    {"the setting '{key}' has no value", "у настройки «{key}» нет значения"},
	CodePayloadInvalid:     {"the incoming request cannot be read: {detail}", "входящий запрос не читается: {detail}"},
	CodeTriggerFieldEmpty:  {"the request has no '{key}', which this flow needs", "в запросе нет «{key}», а он нужен процессу"},
	CodeHTTPNetwork:        {"could not reach {host}: {detail}", "не удалось связаться с {host}: {detail}"},
	CodeHTTPTimeout:        {"{host} did not answer within {seconds} s", "{host} не ответил за {seconds} с"},
	CodeHTTPStatus:         {"{host} answered with HTTP status {status}{reply}", "{host} ответил HTTP-статусом {status}{reply}"},
	CodeHTTPRejected:       {"{host} answered that the request failed: «{reply}»", "{host} ответил, что запрос не выполнен: «{reply}»"},
	CodeHTTPCondition:      {"the success rule '{condition}' cannot be checked: {detail}", "правило успеха «{condition}» не проверяется: {detail}"},
	CodeHTTPTooLarge:       {"the answer of {host} is larger than {limit}", "ответ {host} больше {limit}"},
	CodeHTTPBadRequest:     {"the request cannot be built: {detail}", "запрос не собрать: {detail}"},
	CodeHTTPRetryAfter:     {"{host} asked to try again in {seconds} s, which is longer than this step waits", "{host} попросил повторить через {seconds} с — дольше, чем ждёт этот шаг"},
	CodeJSONNotJSON:        {"the text to parse is not JSON: {detail}", "разбираемый текст — не JSON: {detail}"},
	CodeJSError:            {"the JavaScript failed: {detail}", "ошибка в JavaScript: {detail}"},
	CodeJSTimeout:          {"the JavaScript ran longer than {ms} ms and was stopped", "JavaScript выполнялся дольше {ms} мс и был остановлен"},
	CodeJSTooLarge:         {"the {what} of the JavaScript is larger than {limit}", "{what_ru} JavaScript больше {limit}"},
	CodeFilterError:        {"the condition cannot be checked: {detail}", "условие не проверяется: {detail}"},
	CodeSetValue:           {"'{key}' is not valid {type}: {detail}", "«{key}» — не {type_ru}: {detail}"},
	CodeNodeFailed:         {"{detail}", "{detail}"},
	CodeHTTPBodyNotJSON:    {"the body is set to JSON but is not valid JSON: {detail} (insert text values with | json, e.g. {{trigger.params.name | json}})", "тело задано как JSON, но это не корректный JSON: {detail} (текст вставляйте через | json, например {{trigger.params.name | json}})"},
	CodeHTTPRejectedEmpty:  {"{host} answered with HTTP status {status} and nothing else, which does not meet the success rule '{condition}'", "{host} ответил HTTP-статусом {status} без текста, и это не выполняет условие успеха «{condition}»"},
	CodeURLDenied:          {"the URL '{url}' points to {reason}; hookflow never sends requests there", "адрес «{url}» указывает на {reason_ru}; hookflow туда запросы не отправляет"},
	CodeHTTPDenied:         {"{host} was not called: its address {address} is {reason}, which this server does not allow", "{host} не вызван: его адрес {address} — {reason_ru}, а этот сервер туда запросы не пускает"},
	CodeJSMemory:           {"the JavaScript used more than {limit} of memory and was stopped", "JavaScript занял больше {limit} памяти и был остановлен"},
	CodeHTTPHeaderName:     {"{label}: '{key}' is not a valid header name (use letters, digits and '-', no spaces)", "{label_ru}: «{key}» — неверное название заголовка (буквы, цифры и «-», без пробелов)"},
	CodeFilterEmpty:        {"add at least one rule or write an expression", "добавьте хотя бы одно правило или напишите выражение"},
	CodeFilterBoth:         {"use either rules or an expression, not both; clear one of them", "используйте либо правила, либо выражение, но не то и другое сразу; очистите одно из них"},
	CodeFilterValueMissing: {"{label}: the check '{op}' needs a value to compare with", "{label_ru}: для проверки «{op_ru}» нужно значение, с которым сравнивать"},
	CodeRoutesEmpty:        {"add at least one route: its name and the rules a lead must meet to take it", "добавьте хотя бы один маршрут: его название и правила, под которые должна подойти заявка"},
	CodeRouteNoRules:       {"route '{route}': add at least one rule, or remove the route", "маршрут «{route}»: добавьте хотя бы одно правило или удалите маршрут"},
	CodeRouteID:            {"route {index}: its id '{id}' is empty or taken by another output (was the file edited by hand?); give each route its own id, such as r{index}", "маршрут {index}: его код «{id}» пуст или уже занят другим выходом (файл правили вручную?); дайте каждому маршруту свой код, например r{index}"},
	CodeFilterNotNumber:    {"{label}: '{value}' is not a number, so '{op}' cannot compare with it", "{label_ru}: «{value}» — не число, поэтому проверка «{op_ru}» с ним не сравнит"},
	CodeHTTPRuleFailed:     {"{host} did not accept the data: {rule}{reply}", "{host} не принял данные: {rule_ru}{reply}"},
	CodeJSRecursion:        {"the JavaScript calls functions more than {depth} levels deep (endless recursion?) and was stopped", "JavaScript вызывает функции глубже {depth} уровней (бесконечная рекурсия?) и был остановлен"},

	CodeHTTPPreviewNoAnswer: {"nothing was sent: this is a test. Add a sample answer of {service} in this step's «Sample answer» field to check the success rule", "ничего не отправлено: это проверка. Добавьте пример ответа {service} в поле «Пример ответа» этого шага, чтобы проверить условие успеха"},
	CodeHTTPPreviewStatus:   {"nothing was sent: this is a test, and {answer} has HTTP status {status}{reply}, which the success rule does not accept", "ничего не отправлено: это проверка, а у {answer_ru} HTTP-статус {status}{reply}, который условие успеха не принимает"},
	CodeHTTPPreviewRejected: {"nothing was sent: this is a test, and by {answer} the request would fail: «{reply}»", "ничего не отправлено: это проверка, а из {answer_ru} следует, что запрос не выполнится: «{reply}»"},
}
