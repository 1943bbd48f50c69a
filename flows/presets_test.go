package flows

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fixedPresetIDs are referenced by templates and other packages; they must not change.
var fixedPresetIDs = []string{
	"getcourse.user_created",
	"getcourse.order_created",
	"klientiks.client_added",
	"klientiks.appointment_created",
	"klientiks.invoice_created",
	"klientiks.visit_paid",
	"uon.request",
	"sms_deliverer",
	"tilda.form",
	"generic",
}

func mustPreset(t *testing.T, id string) Preset {
	t.Helper()
	p, ok := PresetByID(id)
	if !ok {
		t.Fatalf("PresetByID(%q): not found", id)
	}
	return p
}

func TestPresetsContainEveryFixedIDGetCourseFirstGenericLast(t *testing.T) {
	all := Presets()
	var ids []string
	for _, p := range all {
		ids = append(ids, p.ID)
	}
	for _, id := range fixedPresetIDs {
		if !slices.Contains(ids, id) {
			t.Errorf("preset %q is missing; have %v", id, ids)
		}
	}
	if len(ids) == 0 || !strings.HasPrefix(ids[0], "getcourse.") {
		t.Errorf("first preset = %v, want a GetCourse one", ids)
	}
	if len(ids) == 0 || ids[len(ids)-1] != "generic" {
		t.Errorf("last preset = %v, want generic", ids)
	}
	again := Presets()
	for i := range again {
		if again[i].ID != ids[i] {
			t.Fatalf("order changed between calls: %v then %v", ids, again)
		}
	}
}

func TestPresetsHaveTitlesAndGuidesInBothLanguages(t *testing.T) {
	for _, p := range Presets() {
		t.Run(p.ID, func(t *testing.T) {
			if p.Title.In("en") == "" || p.Title.In("ru") == "" {
				t.Errorf("title = %+v, want en and ru", p.Title)
			}
			for lang, steps := range map[string][]string{"en": p.Guide.En, "ru": p.Guide.Ru} {
				if n := len(steps); n < 4 || n > 8 {
					t.Errorf("%s guide has %d steps, want 4–8", lang, n)
				}
				for i, s := range steps {
					if strings.TrimSpace(s) == "" {
						t.Errorf("%s guide step %d is empty", lang, i+1)
					}
				}
				if !strings.Contains(strings.Join(steps, "\n"), presetURLPlaceholder) {
					t.Errorf("%s guide never says where to paste %s", lang, presetURLPlaceholder)
				}
			}
			if len(p.Guide.En) != len(p.Guide.Ru) {
				t.Errorf("en guide has %d steps, ru %d: the translations drifted apart", len(p.Guide.En), len(p.Guide.Ru))
			}
		})
	}
}

func TestPresetGuidesUseOnlyTheWebhookURLPlaceholder(t *testing.T) {
	braces := regexp.MustCompile(`\{[^{}]*\}`)
	for _, p := range Presets() {
		for _, s := range slices.Concat(p.Guide.En, p.Guide.Ru) {
			for _, m := range braces.FindAllString(s, -1) {
				if m != presetURLPlaceholder {
					t.Errorf("%s: guide step %q has %s; only %s is substituted by the editor", p.ID, s, m, presetURLPlaceholder)
				}
			}
		}
	}
}

func TestPresetParamKeysAreUniqueWithinAPreset(t *testing.T) {
	for _, p := range Presets() {
		seen := map[string]bool{}
		for _, pp := range p.Params {
			if seen[pp.Key] {
				t.Errorf("%s: key %q appears twice", p.ID, pp.Key)
			}
			seen[pp.Key] = true
		}
	}
}

func TestPresetParamsHaveKeysLabelsAndExamples(t *testing.T) {
	// Tilda posts its form fields under their variable names, capitalised by default (Name).
	key := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	for _, p := range Presets() {
		for _, pp := range p.Params {
			if !key.MatchString(pp.Key) {
				t.Errorf("%s: key %q is not a plain name", p.ID, pp.Key)
			}
			if pp.Label.In("en") == "" || pp.Label.In("ru") == "" {
				t.Errorf("%s: %s label = %+v, want en and ru", p.ID, pp.Key, pp.Label)
			}
			if pp.Example == "" {
				t.Errorf("%s: %s has no example", p.ID, pp.Key)
			}
		}
	}
}

func TestPresetExamplesAreRealistic(t *testing.T) {
	phone := regexp.MustCompile(`^\+7\d{10}$`)
	email := regexp.MustCompile(`^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z]+)+$`)
	for _, p := range Presets() {
		for _, pp := range p.Params {
			key := strings.ToLower(pp.Key)
			switch {
			case strings.HasSuffix(key, "phone") && !phone.MatchString(pp.Example):
				t.Errorf("%s: %s example %q is not a +7 phone", p.ID, pp.Key, pp.Example)
			case strings.HasSuffix(key, "email") && !email.MatchString(pp.Example):
				t.Errorf("%s: %s example %q is not an email", p.ID, pp.Key, pp.Example)
			}
		}
	}
	order := mustPreset(t, "getcourse.order_created")
	want := map[string]string{"cost_money": "1 990 руб.", "cost_money_value": "1990"}
	for _, pp := range order.Params {
		if w, ok := want[pp.Key]; ok && pp.Example != w {
			t.Errorf("getcourse.order_created %s example = %q, want %q", pp.Key, pp.Example, w)
		}
	}
}

func TestPresetMethodsSayHowTheSourceCalls(t *testing.T) {
	for _, p := range Presets() {
		want := ""
		switch p.Source {
		case "GetCourse", "Klientiks":
			want = "GET"
		}
		if want != "" && p.Method != want {
			t.Errorf("%s: method %q, want %q", p.ID, p.Method, want)
		}
		if !slices.Contains([]string{"GET", "POST", "ANY"}, p.Method) {
			t.Errorf("%s: method %q, want GET, POST or ANY", p.ID, p.Method)
		}
	}
	if p := mustPreset(t, "generic"); p.Method != "ANY" || p.Source != "" {
		t.Errorf("generic: method %q source %q, want ANY and no source", p.Method, p.Source)
	}
}

func TestPresetVariablesAreWellFormedForTheirSource(t *testing.T) {
	pattern := map[string]*regexp.Regexp{
		"GetCourse": regexp.MustCompile(`^\{object(\.[a-z_]+)+\}$`),
		"Klientiks": regexp.MustCompile(`^\{\{[a-z_]+(\.[a-z_]+)*\}\}$`),
	}
	for _, p := range Presets() {
		re, ok := pattern[p.Source]
		for _, pp := range p.Params {
			switch {
			case ok && !re.MatchString(pp.Variable):
				t.Errorf("%s: %s variable %q is not a %s variable", p.ID, pp.Key, pp.Variable, p.Source)
			case !ok && pp.Variable != "":
				t.Errorf("%s: %s has variable %q, but %s substitutes nothing", p.ID, pp.Key, pp.Variable, p.Source)
			}
		}
	}
}

func TestPresetURLTemplate(t *testing.T) {
	tests := []struct {
		id, want string
	}{
		{"getcourse.user_created", "?id={object.id}&email={object.email}&phone={object.phone}" +
			"&first_name={object.first_name}&last_name={object.last_name}&name={object.name}&city={object.city}" +
			"&utm_source={object.create_session.utm_source}&utm_medium={object.create_session.utm_medium}" +
			"&utm_campaign={object.create_session.utm_campaign}&utm_content={object.create_session.utm_content}" +
			"&utm_term={object.create_session.utm_term}"},
		{"getcourse.order_created", "?number={object.number}&order_id={object.id}&positions={object.positions}" +
			"&cost_money={object.cost_money}&cost_money_value={object.cost_money_value}" +
			"&left_cost_money={object.left_cost_money}&payed_money={object.payed_money}&status={object.status}" +
			"&payment_link={object.payment_link}&promocode={object.promocode}" +
			"&user_email={object.user.email}&user_phone={object.user.phone}" +
			"&user_first_name={object.user.first_name}&user_last_name={object.user.last_name}"},
		// Seed 001, event "Добавление клиента", character for character.
		{"klientiks.client_added", "?client_id={{id}}&client_phone={{phone}}&client_name={{name}}&client_first_name={{first_name}}&client_patron_name={{patron_name}}&client_second_name={{second_name}}&client_deleted={{deleted}}&client_email={{email}}"},
		// Seed 001, event "Создание счета на оплату", character for character.
		{"klientiks.invoice_created", "?client_id={{client_id}}&client_name={{client.name}}&client_phone={{client.phone}}&appointment_id={{object_id}}&appointment_amount={{amount}}&appointment_paid={{paid}}&appointment_name={{name}}&appointment_description={{description}}&appointment_paid_sum={{paid_sum}}&appointment_left_to_pay={{left_to_pay}}"},
		// Seed 001 with its typos fixed (see TestKlientiksSeedTyposAreFixed).
		{"klientiks.appointment_created", "?client_id={{client.id}}&client_phone={{client.phone}}&client_name={{client.name}}&appointment_id={{appointment.id}}&appointment_date={{appointment.date}}&appointment_time={{appointment.time}}&executor_name={{executor_name}}&executor_phone={{executor_phone}}&services={{services}}&appointment_total_cost={{appointment.total_cost}}&user_position={{user.position}}"},
		{"klientiks.visit_paid", "?client_id={{client_id}}&appointment_id={{appointment.id}}&appointment_account_id={{appointment.account_id}}&appointment_created={{appointment.created}}&appointment_appointment_id={{appointment.appointment_id}}&appointment_status={{appointment.status}}&appointment_paid={{appointment.paid}}"},
		// U-ON sends r_id by itself; nothing to append.
		{"uon.request", ""},
		{"sms_deliverer", ""},
		// Tilda posts the form's fields by itself.
		{"tilda.form", ""},
		{"generic", ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := mustPreset(t, tt.id).URLTemplate(); got != tt.want {
				t.Errorf("URLTemplate()\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPresetURLTemplateSkipsParamsWithoutVariable(t *testing.T) {
	tests := []struct {
		name   string
		params []PresetParam
		want   string
	}{
		{"none", nil, ""},
		{"no variables", []PresetParam{{Key: "r_id"}}, ""},
		{"first has none", []PresetParam{{Key: "a"}, {Key: "b", Variable: "{x}"}, {Key: "c", Variable: "{y}"}}, "?b={x}&c={y}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Preset{Params: tt.params}).URLTemplate(); got != tt.want {
				t.Errorf("URLTemplate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKlientiksSeedTyposAreFixed(t *testing.T) {
	tests := []struct {
		id       string
		fixed    string // what the template must contain
		typo     string // what the seed wrote and the template must not contain
		key      string
		variable string
	}{
		{"klientiks.appointment_created", "&appointment_time={{appointment.time}}&", "appointment.time={{appointment_time}}", "appointment_time", "{{appointment.time}}"},
		{"klientiks.visit_paid", "&appointment_status={{appointment.status}}&", "appointment_status={appointment.status}}", "appointment_status", "{{appointment.status}}"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p := mustPreset(t, tt.id)
			tpl := p.URLTemplate()
			if !strings.Contains(tpl, tt.fixed) {
				t.Errorf("template lacks %q:\n%s", tt.fixed, tpl)
			}
			if strings.Contains(tpl, tt.typo) {
				t.Errorf("template still has the seed's typo %q:\n%s", tt.typo, tpl)
			}
			i := slices.IndexFunc(p.Params, func(pp PresetParam) bool { return pp.Key == tt.key })
			if i < 0 || p.Params[i].Variable != tt.variable {
				t.Errorf("param %q missing or with a wrong variable: %+v", tt.key, p.Params)
			}
		})
	}
}

func TestPresetSampleQueryRoundTripsToExamples(t *testing.T) {
	for _, p := range Presets() {
		t.Run(p.ID, func(t *testing.T) {
			q := p.SampleQuery()
			if len(p.Params) == 0 {
				if q != "" {
					t.Errorf("SampleQuery() = %q, want empty for a preset without params", q)
				}
				return
			}
			vals, err := url.ParseQuery(q)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", q, err)
			}
			if len(vals) != len(p.Params) {
				t.Errorf("parsed %d keys, want %d: %q", len(vals), len(p.Params), q)
			}
			pairs := strings.Split(q, "&")
			for i, pp := range p.Params {
				if got := vals[pp.Key]; len(got) != 1 || got[0] != pp.Example {
					t.Errorf("%s = %q, want [%q]", pp.Key, got, pp.Example)
				}
				if i < len(pairs) && !strings.HasPrefix(pairs[i], url.QueryEscape(pp.Key)+"=") {
					t.Errorf("pair %d is %q, want key %s: params out of order", i, pairs[i], pp.Key)
				}
			}
		})
	}
}

func TestPresetSampleQueryEncodesSpecialCharacters(t *testing.T) {
	p := Preset{Params: []PresetParam{
		{Key: "cost_money", Example: "1 990 руб."},
		{Key: "phone", Example: "+79161234567"},
		{Key: "q", Example: "a&b=c"},
		{Key: "empty"},
	}}
	want := "cost_money=1+990+%D1%80%D1%83%D0%B1.&phone=%2B79161234567&q=a%26b%3Dc&empty="
	if got := p.SampleQuery(); got != want {
		t.Errorf("SampleQuery()\n got %s\nwant %s", got, want)
	}
}

func TestPresetByIDFindsEveryPreset(t *testing.T) {
	for _, id := range fixedPresetIDs {
		if p := mustPreset(t, id); p.ID != id {
			t.Errorf("PresetByID(%q).ID = %q", id, p.ID)
		}
	}
}

func TestPresetByIDUnknownReturnsFalse(t *testing.T) {
	for _, id := range []string{"", "nope", "GetCourse.user_created", " generic", "getcourse", "klientiks.client_added.json"} {
		t.Run(id, func(t *testing.T) {
			if p, ok := PresetByID(id); ok || p.ID != "" {
				t.Errorf("PresetByID(%q) = %q, %v; want zero, false", id, p.ID, ok)
			}
		})
	}
}

func TestPresetsReturnCopiesTheCallerMayChange(t *testing.T) {
	a := Presets()
	a[0].Params[0].Key = "changed"
	a[0].Guide.En[0] = "changed"
	b, _ := PresetByID(a[0].ID)
	b.Params[1].Example = "changed"
	c, _ := PresetByID(a[0].ID)
	if c.Params[0].Key == "changed" || c.Guide.En[0] == "changed" || c.Params[1].Example == "changed" {
		t.Errorf("changing a returned preset changed the stored one: %+v", c)
	}
}

func TestPresetJSONShape(t *testing.T) {
	raw, err := json.Marshal(mustPreset(t, "generic"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "source", "title", "method", "params", "guide"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, raw)
		}
	}
	if string(m["params"]) != "[]" {
		t.Errorf("params = %s, want [] (not null) for a preset without params", m["params"])
	}
	var g map[string][]string
	if err := json.Unmarshal(m["guide"], &g); err != nil || len(g["en"]) == 0 || len(g["ru"]) == 0 {
		t.Errorf("guide = %s, want {\"en\": [...], \"ru\": [...]} (err %v)", m["guide"], err)
	}
}

func TestPresetTestRequest_TildaCheckIsRecognisedAndRealFormsAreNot(t *testing.T) {
	tilda := mustPreset(t, "tilda.form")
	form := func(body string) Payload {
		return Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: body}
	}
	tests := []struct {
		name    string
		payload Payload
		want    bool
	}{
		{"Tilda's check: test=test posted as a form", form("test=test"), true},
		{"the check in the query string", Payload{Method: "POST", Query: json.RawMessage(`"test=test"`)}, true},
		{"a submitted form", form("Name=%D0%90%D0%BD%D0%BD%D0%B0&Phone=%2B79161234567&tranid=1%3A2&formid=form1"), false},
		{"a form with a field called test", form("test=test&Name=Anna"), false},
		{"test with another value", form("test=yes"), false},
		{"test sent twice", form("test=test&test=test"), false},
		{"an empty request", form(""), false},
		{"unreadable JSON", Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: "{"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tilda.IsTestRequest(tt.payload); got != tt.want {
				t.Errorf("IsTestRequest = %v, want %v", got, tt.want)
			}
		})
	}
	for _, id := range fixedPresetIDs {
		if p := mustPreset(t, id); id != "tilda.form" && p.IsTestRequest(form("test=test")) {
			t.Errorf("%s declares no check, but test=test is taken for one", id)
		}
	}
}

func TestPresetTestRequestIsCopiedWithThePreset(t *testing.T) {
	a := mustPreset(t, "tilda.form")
	a.TestRequest.Params["test"] = "changed"
	if b := mustPreset(t, "tilda.form"); b.TestRequest.Params["test"] != "test" {
		t.Errorf("changing a returned preset's check changed the stored one: %v", b.TestRequest.Params)
	}
}

func TestFlowTriggerPresetIsTheWebhooksChoice(t *testing.T) {
	f := mustParse(t, `{"schema":1,"name":"x","nodes":[{"id":"a","kind":"set"},{"id":"t","kind":"webhook","config":{"preset":"tilda.form"}}],"edges":[]}`)
	if p, ok := f.TriggerPreset(); !ok || p.ID != "tilda.form" {
		t.Errorf("TriggerPreset = %q, %v; want tilda.form", p.ID, ok)
	}
	none, _ := ParseFlow([]byte(`{"schema":1,"name":"x","nodes":[{"id":"t","kind":"webhook"}],"edges":[]}`))
	if p, ok := none.TriggerPreset(); ok {
		t.Errorf("a webhook without a preset has preset %q", p.ID)
	}
}
