package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookflow/hookflow/flows"
)

// email is the language-specific text of one failure mail.
type email struct {
	subject     string
	body        string
	mostlyASCII bool // quoted-printable stays readable; else base64 is shorter
}

const (
	maxSubjectName = 120  // runes of the flow name in the subject
	maxErrorText   = 4000 // runes of the error in the body
)

type texts struct {
	subject     func(name string) string
	subjectMore func(n int, since string) string
	intro       func(name string) string
	step, err   string
	time, run   string
	noError     string
	more        func(n int, since string) string
	footer      func(window string) string
	hour, min   string
}

var en = texts{
	subject:     func(name string) string { return `hookflow: flow "` + name + `" failed` },
	subjectMore: func(n int, since string) string { return fmt.Sprintf(" (and %d more since %s)", n, since) },
	intro:       func(name string) string { return `The flow "` + name + `" failed.` },
	step:        "Step:", err: "Error:", time: "Time:", run: "Run:",
	noError: "(no error message)",
	more: func(n int, since string) string {
		return fmt.Sprintf("And %d more %s since %s, not mailed separately.",
			n, map[bool]string{true: "failure", false: "failures"}[n == 1], since)
	},
	footer: func(window string) string {
		return "hookflow sends at most one email per flow every " + window +
			"; failures in between are counted and reported in the next email. " +
			"Every run is listed in the flow's journal."
	},
	hour: "h", min: "min",
}

var ru = texts{
	subject:     func(name string) string { return "hookflow: ошибка в процессе «" + name + "»" },
	subjectMore: func(n int, since string) string { return fmt.Sprintf(" (и ещё %d с %s)", n, since) },
	intro: func(name string) string {
		return "В процессе «" + name + "» произошла ошибка."
	},
	step: "Шаг:", err: "Ошибка:", time: "Время:", run: "Запуск:",
	noError: "(текст ошибки не передан)",
	more: func(n int, since string) string {
		return fmt.Sprintf("И ещё %d %s с %s, без отдельных писем.",
			n, plural(n, "ошибка", "ошибки", "ошибок"), since)
	},
	footer: func(window string) string {
		return "hookflow присылает не больше одного письма по процессу за " + window +
			"; ошибки в промежутке подсчитываются и указываются в следующем письме. " +
			"Все запуски видны в журнале процесса (История операций)."
	},
	hour: "ч", min: "мин",
}

// compose builds the subject and plain-text body of the mail for j.
func compose(j job, window time.Duration) email {
	t := en
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(j.f.Lang)), "ru") {
		t = ru
	}
	name := flows.OneLine(j.f.FlowName)
	if name == "" {
		name = flows.OneLine(j.f.FlowID)
	}
	at := j.f.At
	since := ""
	if j.more > 0 {
		since = sinceText(j.since.In(at.Location()), at)
	}

	subject := t.subject(truncate(name, maxSubjectName))
	if j.more > 0 {
		subject += t.subjectMore(j.more, since)
	}

	var b strings.Builder
	b.WriteString(t.intro(name))
	b.WriteString("\n\n")
	errText := strings.TrimSpace(j.f.Error)
	if errText == "" {
		errText = t.noError
	}
	rows := [][2]string{}
	if step := flows.OneLine(j.f.Step); step != "" {
		rows = append(rows, [2]string{t.step, step})
	}
	rows = append(rows, [2]string{t.err, truncate(errText, maxErrorText)})
	rows = append(rows, [2]string{t.time, at.Format("2006-01-02 15:04:05 MST")})
	if u := strings.TrimSpace(j.f.RunURL); u != "" {
		rows = append(rows, [2]string{t.run, u})
	}
	width := 0
	for _, r := range rows {
		width = max(width, utf8.RuneCountInString(r[0]))
	}
	for _, r := range rows {
		b.WriteString(r[0])
		b.WriteString(strings.Repeat(" ", width-utf8.RuneCountInString(r[0])+1))
		// continuation lines of a multi-line error stay aligned
		b.WriteString(strings.ReplaceAll(r[1], "\n", "\n"+strings.Repeat(" ", width+1)))
		b.WriteString("\n")
	}
	if j.more > 0 {
		b.WriteString("\n")
		b.WriteString(t.more(j.more, since))
		b.WriteString("\n")
	}
	b.WriteString("\n-- \n")
	b.WriteString(t.footer(windowText(window, t)))
	b.WriteString("\n")
	body := strings.ReplaceAll(b.String(), "\r", "")
	return email{subject: subject, body: body, mostlyASCII: asciiShare(body) > 0.8}
}

func asciiShare(s string) float64 {
	total, ascii := 0, 0
	for _, r := range s {
		total++
		if r < utf8.RuneSelf {
			ascii++
		}
	}
	if total == 0 {
		return 1
	}
	return float64(ascii) / float64(total)
}

// sinceText is "14:05" on the same day as at, else "2006-01-02 14:05".
func sinceText(since, at time.Time) string {
	y1, m1, d1 := since.Date()
	y2, m2, d2 := at.Date()
	if y1 == y2 && m1 == m2 && d1 == d2 {
		return since.Format("15:04")
	}
	return since.Format("2006-01-02 15:04")
}

func windowText(d time.Duration, t texts) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%d %s", d/time.Hour, t.hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d %s", d/time.Minute, t.min)
	default:
		return d.String()
	}
}

// plural picks the Russian form for n: one (1, 21, …), few (2–4, 22–24, …),
// many (5–20, 25–30, …).
func plural(n int, one, few, many string) string {
	n %= 100
	switch {
	case n%10 == 1 && n != 11:
		return one
	case n%10 >= 2 && n%10 <= 4 && (n < 12 || n > 14):
		return few
	default:
		return many
	}
}

// oneLine removes control characters (header injection, broken subjects)
// and collapses white space.

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
