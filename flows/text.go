package flows

// Text is a sentence shown to users, in every language the editor speaks.
type Text struct {
	En string `json:"en"`
	Ru string `json:"ru"`
}

// In returns the text in lang ("en" or "ru"), falling back to English.
func (t Text) In(lang string) string {
	if lang == "ru" && t.Ru != "" {
		return t.Ru
	}
	return t.En
}
