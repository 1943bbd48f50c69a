package api

// messagesEN: the API's error sentences in English. Every code has its Russian twin in
// messages_ru.go (messages_test.go checks).
var messagesEN = map[string]string{
	"not_found":         "not found",
	"internal":          "something went wrong on the server; it is logged",
	"disk_full":         "hookflow's disk is full; nothing was saved; free some space on the server and try again",
	"shutting_down":     "hookflow is restarting; send the request again in a few seconds",
	"unknown_hook":      "no flow has this webhook address; copy the address again from the flow in hookflow",
	"bad_json":          "the request body is not valid JSON: {detail}",
	"http":              "{detail}",
	"flow_unreadable":   "this flow could not be read: {detail}; restore an earlier version from its history, or delete it",
	"flow_invalid":      "the flow is not valid",
	"flow_invalid_more": "{first} (and more: see details)",

	"auth.body":                 `the body must be {"email": "…", "password": "…"}`,
	"auth.bad_credentials":      "the email or the password is wrong",
	"auth.signup_closed":        "this hookflow already has an owner: ask them for an invitation link",
	"auth.invitation_invalid":   "this invitation link is not valid any more: it was used, withdrawn or is older than 7 days; ask for a new one",
	"auth.rate_limited":         "too many failed sign-in attempts; wait {seconds} seconds and try again",
	"auth.not_authenticated":    "sign in first",
	"auth.token_not_recognised": "this API token is not valid (it may have been revoked)",
	"auth.not_member":           "you are not a member of the team named in the X-Hookflow-Team header",
	"auth.token_team":           "API tokens always act in their own team; send the {header} header or use a token of the other team",
	"auth.switch_body":          `the body must be {"team": "<team id>"}`,
	"auth.bearer":               `the Authorization header must be "Bearer <API token>"`,
	"auth.password_short":       "the password must be at least {min} characters long",
	"auth.password_long":        "the password must be at most {max} bytes long (about {max} Latin or {cyrillic} Cyrillic letters)",
	"auth.email_invalid":        "enter an email address like anna@example.com",
	"auth.role_invalid":         "the role must be viewer, editor or owner",
	"auth.token_name_missing":   "give the token a name, e.g. the script that will use it",
	"auth.token_name_long":      "the name must be at most 200 characters",

	"access.no_team":    "you are not in any team; ask a team owner for an invitation link",
	"access.role":       "your role in this team ({role}) does not allow this; ask a team owner to make you {need}",
	"access.csrf":       "the request has no valid {header} header; reload the page and try again",
	"access.cross_site": "this request came from another site's page; open hookflow's own page and try again there",
	"access.json_only":  "send the request as JSON, with the header Content-Type: application/json",

	"flows.body":            "the request body must be a flow document (JSON object)",
	"flows.duplicate_body":  `the body must be {"name": "the copy's name"} or empty`,
	"flows.version":         "the version must be a number like 3",
	"flows.test_body":       `the body must be {"payload": {"method": "GET", "query": "…"}}`,
	"flows.test_no_payload": `the body has no "payload" (the request to test with)`,
	"live.unavailable":      "live logs are not available on this server",
	"live.too_many":         "you have {max} live logs open already; close some editor tabs and try again",

	"runs.status": "status must be success, failed, filtered or waiting",
	"runs.limit":  "limit must be a positive number",
	"runs.days":   "days must be a number from 1 to 92",
	"runs.tz":     "tz must be a time zone name like Europe/Moscow",
	"runs.time":   "{name} must be a time like 2026-01-31T10:00:00Z",

	"team.role_body":  `the body must be {"role": "viewer"}, "editor" or "owner"`,
	"team.last_owner": "the team needs at least one owner: make someone else owner first",
	"team.not_owner":  "you are no longer an owner of this team, so you cannot change its members",

	"templates.not_found":      "there is no template with this id",
	"templates.save_body":      `the body must be {"name": "…", "inputs": [{"node": "send", "field": "url", "key": "target_url"}]}`,
	"templates.team_not_found": "there is no team template with this id (built-in templates cannot be deleted)",
	"templates.use_body":       `the body must be {"name": "…", "inputs": {"api_key": "…"}}`,
	"tokens.body":              `the body must be {"name": "what the token is for"}`,
}
