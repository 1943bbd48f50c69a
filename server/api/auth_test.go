package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/api"
	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
)

// browser is a cookie-keeping client, like the editor in a browser.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{Jar: jar}}
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// send makes a request with the browser's cookies; headers are pairs.
func (b *browser) send(method, path, body string, headers ...string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i]) // "" leaves the header out
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestAuth_CookieSessionNeedsTheCSRFHeaderForChanges(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	b := newBrowser(t, s.URL)
	if code, body := b.send("POST", "/api/auth/login", `{"email":"OWNER@example.com ","password":"password of owner"}`); code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
	csrf := b.cookie("hookflow_csrf")
	if csrf == "" {
		t.Fatal("no CSRF cookie after sign-in")
	}
	if code, _ := b.send("GET", "/api/flows", ""); code != 200 {
		t.Fatalf("a cookie GET answers %d, want 200", code)
	}
	if code, body := b.send("POST", "/api/flows", minimalFlow); code != 403 || !strings.Contains(body, "X-CSRF-Token") {
		t.Fatalf("a cookie POST without the CSRF header answers %d %s, want 403 naming the header", code, body)
	}
	if code, _ := b.send("POST", "/api/flows", minimalFlow, "X-CSRF-Token", "forged"); code != 403 {
		t.Fatalf("a cookie POST with a wrong CSRF header answers %d, want 403", code)
	}
	if code, body := b.send("POST", "/api/flows", minimalFlow, "X-CSRF-Token", csrf); code != 201 {
		t.Fatalf("a cookie POST with the CSRF header answers %d %s, want 201", code, body)
	}
	// Signing out ends the session on the server, not just in this browser.
	session := b.cookie("hookflow_session")
	if code, _ := b.send("POST", "/api/auth/logout", "", "X-CSRF-Token", csrf); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	other := newBrowser(t, s.URL)
	if code, _ := other.send("GET", "/api/flows", "", "Cookie", "hookflow_session="+session); code != 401 {
		t.Fatalf("a signed-out session answers %d, want 401", code)
	}
}

func TestAuth_SessionCookieIsHttpOnlyLaxAndSecureBehindHTTPS(t *testing.T) {
	t.Parallel()
	for _, publicURL := range []string{"http://localhost:8080", "https://hooks.example.com"} {
		st := testdb.Open(t, "sqlite")
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		app := core.New(core.Config{Logger: log, PublicURL: publicURL}, st, nil, nil)
		e := api.New(app, log)
		req := httptest.NewRequest("POST", "/api/auth/signup", strings.NewReader(`{"email":"owner@example.com","password":"password of owner"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		app.Close(0)
		if rec.Code != 201 {
			t.Fatalf("signup: %d %s", rec.Code, rec.Body)
		}
		var session, csrf *http.Cookie
		for _, c := range rec.Result().Cookies() {
			switch c.Name {
			case "hookflow_session":
				session = c
			case "hookflow_csrf":
				csrf = c
			}
		}
		secure := strings.HasPrefix(publicURL, "https")
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != secure {
			t.Fatalf("%s: session cookie = %+v, want HttpOnly, SameSite=Lax, Secure=%v", publicURL, session, secure)
		}
		if csrf == nil || csrf.HttpOnly || csrf.Secure != secure {
			t.Fatalf("%s: CSRF cookie = %+v, want readable by the page, Secure=%v", publicURL, csrf, secure)
		}
	}
}

func TestAuth_BearerTokenWorksWithoutCSRFAndRevokedTokenIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	var tok struct{ ID, Token string }
	if code := s.call("POST", "/api/tokens", map[string]string{"name": "deploy script"}, &tok); code != 201 || !strings.HasPrefix(tok.Token, "hft_") {
		t.Fatalf("create token: %d %+v", code, tok)
	}
	script := &testServer{t: t, URL: s.URL, token: tok.Token}
	if code := script.call("POST", "/api/flows", minimalFlow, nil); code != 201 {
		t.Fatalf("a Bearer POST without CSRF header answers %d, want 201", code)
	}
	var list struct {
		Tokens []struct{ ID, Name, Token string }
	}
	s.call("GET", "/api/tokens", nil, &list)
	if len(list.Tokens) != 1 || list.Tokens[0].Name != "deploy script" || list.Tokens[0].Token != "" {
		t.Fatalf("token list = %+v, want the one token without its secret", list.Tokens)
	}
	if code := s.call("DELETE", "/api/tokens/"+tok.ID, nil, nil); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	var e struct{ Error string }
	if code := script.call("GET", "/api/flows", nil, &e); code != 401 || !strings.Contains(e.Error, "revoked") {
		t.Fatalf("a revoked token answers %d %q, want 401 saying it may be revoked", code, e.Error)
	}
	// The token is stored only as a hash.
	var stored int64
	s.st.Read(context.Background()).Table("api_tokens").Where("hash = ? OR prefix = ?", tok.Token, tok.Token).Count(&stored)
	if stored != 0 {
		t.Fatal("the token is stored in plain text")
	}
}

// withLimit makes one of the sign-in limits a bucket of burst tries that does not refill during
// the test (the outcome does not depend on timing); the limit comes back when the test ends.
func withLimit(t *testing.T, limit *auth.Limit, burst int) {
	old := *limit
	*limit = auth.Limit{Burst: burst, Every: time.Hour}
	t.Cleanup(func() { *limit = old })
}

func TestAuth_LoginIsRateLimitedPerEmailAndPerAddress(t *testing.T) {
	// Small buckets that do not refill during the test: the outcome does not depend on timing.
	withLimit(t, &auth.EmailLimit, 3)
	withLimit(t, &auth.IPLimit, 5)
	s := startServer(t, "sqlite", http.DefaultClient)
	anon := &testServer{t: t, URL: s.URL}
	for i := 0; i < 3; i++ {
		if code := anon.call("POST", "/api/auth/login", `{"email":"owner@example.com","password":"wrong guess"}`, nil); code != 401 {
			t.Fatalf("wrong password #%d answers %d, want 401", i+1, code)
		}
	}
	var e struct{ Error string }
	if code := anon.call("POST", "/api/auth/login", `{"email":"Owner@example.com","password":"password of owner"}`, &e); code != 429 || !strings.Contains(e.Error, "wait") {
		t.Fatalf("after 3 failures the right password answers %d %q, want 429 saying how long to wait", code, e.Error)
	}
	// Other accounts from this address still work until the address's own limit is used up.
	for i := 0; i < 2; i++ {
		if code := anon.call("POST", "/api/auth/login", `{"email":"nobody`+string(rune('a'+i))+`@example.com","password":"wrong guess"}`, nil); code != 401 {
			t.Fatalf("unknown email #%d answers %d, want 401", i+1, code)
		}
	}
	if code := anon.call("POST", "/api/auth/login", `{"email":"someone@example.com","password":"x"}`, nil); code != 429 {
		t.Fatalf("after 5 failures from one address a new email answers %d, want 429", code)
	}
	// X-Forwarded-For is not trusted unless a proxy is configured: it cannot reset the limit.
	if code := anon.callWith("POST", "/api/auth/login", `{"email":"someone@example.com","password":"x"}`, "X-Forwarded-For", "198.51.100.7"); code != 429 {
		t.Fatalf("a forged X-Forwarded-For answers %d, want 429", code)
	}
}

func TestAuth_InvitationLinkSignsUpAMemberOnceWithItsRole(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	anon := &testServer{t: t, URL: s.URL}
	var state struct {
		SignupOpen bool `json:"signup_open"`
	}
	if anon.call("GET", "/api/auth/state", nil, &state); state.SignupOpen {
		t.Fatal("signup is open on an instance with an owner")
	}
	var e struct{ Error string }
	if code := anon.call("POST", "/api/auth/signup", `{"email":"eve@example.com","password":"long enough"}`, &e); code != 409 || !strings.Contains(e.Error, "invitation") {
		t.Fatalf("signup without invitation answers %d %q, want 409 asking for an invitation", code, e.Error)
	}
	var inv struct{ Token, URL string }
	if code := s.call("POST", "/api/invitations", map[string]string{"role": "editor"}, &inv); code != 201 || !strings.Contains(inv.URL, "/#/invite/"+inv.Token) {
		t.Fatalf("invitation: %d %+v", code, inv)
	}
	var info struct{ Team, Role string }
	if code := anon.call("GET", "/api/auth/invitations/"+inv.Token, nil, &info); code != 200 || info.Role != "editor" || info.Team == "" {
		t.Fatalf("invitation info: %d %+v", code, info)
	}
	var me struct {
		Token string
		Role  string
		Team  string
	}
	body := map[string]string{"email": "Ed@Example.com", "password": "password of ed", "invitation": inv.Token}
	if code := anon.call("POST", "/api/auth/signup", body, &me); code != 201 || me.Role != "editor" {
		t.Fatalf("signup through the invitation: %d %+v", code, me)
	}
	body["email"] = "second@example.com"
	if code := anon.call("POST", "/api/auth/signup", body, &e); code != 404 || !strings.Contains(e.Error, "not valid any more") {
		t.Fatalf("a used invitation answers %d %q, want 404", code, e.Error)
	}
	var members struct {
		Members []struct{ Email, Role string }
	}
	s.call("GET", "/api/members", nil, &members)
	if len(members.Members) != 2 || members.Members[1].Email != "ed@example.com" || members.Members[1].Role != "editor" {
		t.Fatalf("members = %+v", members.Members)
	}
	// The team keeps an owner: the only owner cannot step down.
	var ownerMe struct{ User struct{ ID string } }
	s.call("GET", "/api/auth/me", nil, &ownerMe)
	if code := s.call("PUT", "/api/members/"+ownerMe.User.ID, map[string]string{"role": "viewer"}, &e); code != 409 {
		t.Fatalf("demoting the last owner answers %d, want 409", code)
	}
}

func TestAuth_BadSignupInputIsExplainedByField(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	invitation := s.invite("viewer")
	anon := &testServer{t: t, URL: s.URL}
	for _, tc := range []struct{ email, password, field string }{
		{"not an email", "long enough", "email"},
		{"a@b.c", "short", "password"},
		{"a@b.c", strings.Repeat("я", 40), "password"}, // 80 bytes: more than bcrypt reads
	} {
		var e struct {
			Error   string
			Details []struct{ Field string }
		}
		code := anon.call("POST", "/api/auth/signup", map[string]string{"email": tc.email, "password": tc.password, "invitation": invitation}, &e)
		if code != 422 || len(e.Details) != 1 || e.Details[0].Field != tc.field {
			t.Errorf("signup %q/%q → %d %+v, want 422 on %s", tc.email, tc.password, code, e, tc.field)
		}
	}
}

func TestAudit_RecordsWhoChangedStartedStoppedAndDeletedFlowsAndMembers(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	v := s.createFlow(t, minimalFlow)
	for _, step := range []struct{ method, path string }{
		{"PUT", "/api/flows/" + v.ID}, {"POST", "/api/flows/" + v.ID + "/start"},
		{"POST", "/api/flows/" + v.ID + "/stop"}, {"DELETE", "/api/flows/" + v.ID},
	} {
		body := any(nil)
		if step.method == "PUT" {
			body = `{"settings":{}}`
		}
		if code := s.call(step.method, step.path, body, nil); code/100 != 2 {
			t.Fatalf("%s %s: %d", step.method, step.path, code)
		}
	}
	invitation := s.invite("viewer")
	anon := &testServer{t: t, URL: s.URL}
	var viewer struct {
		Token string
		User  struct{ ID string }
	}
	anon.call("POST", "/api/auth/signup", map[string]string{"email": "v@example.com", "password": "password of v", "invitation": invitation}, &viewer)
	s.call("PUT", "/api/members/"+viewer.User.ID, map[string]string{"role": "editor"}, nil)

	var log struct {
		Entries []struct {
			Email    string
			Action   string
			ObjectID string `json:"object_id"`
		}
	}
	if code := s.call("GET", "/api/audit", nil, &log); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	var got []string
	for _, e := range log.Entries {
		got = append(got, e.Email+" "+e.Action)
	}
	want := []string{"owner@example.com member.role", "v@example.com member.join", "owner@example.com invitation.create",
		"owner@example.com flow.delete", "owner@example.com flow.stop", "owner@example.com flow.start",
		"owner@example.com flow.update", "owner@example.com flow.create", "owner@example.com team.create"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("audit log, newest first:\n got %s\nwant %s", strings.Join(got, "; "), strings.Join(want, "; "))
	}
	if log.Entries[3].ObjectID != v.ID {
		t.Fatalf("flow.delete names %q, want the flow %q", log.Entries[3].ObjectID, v.ID)
	}
	viewerClient := &testServer{t: t, URL: s.URL, token: viewer.Token}
	if code := viewerClient.call("GET", "/api/audit", nil, nil); code != 403 {
		t.Fatalf("an editor reads the audit log: %d, want 403", code)
	}
}

func TestAuth_TeamHeaderPicksOneOfTheUsersTeamsAndRefusesOthers(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	var teamB struct{ ID string }
	if code := s.call("POST", "/api/teams", map[string]string{"name": "B"}, &teamB); code != 201 {
		t.Fatalf("create team: %d", code)
	}
	if code := s.callWith("POST", "/api/flows", minimalFlow, "X-Hookflow-Team", teamB.ID); code != 201 {
		t.Fatalf("create a flow in team B through the header: %d", code)
	}
	var inA struct{ Flows []any }
	s.call("GET", "/api/flows", nil, &inA)
	if len(inA.Flows) != 0 {
		t.Fatalf("team A (the session's) shows team B's flow: %d flows", len(inA.Flows))
	}
	if code := s.callWith("GET", "/api/flows", "", "X-Hookflow-Team", "no-such-team"); code != 403 {
		t.Fatalf("a team the user is not in answers %d, want 403", code)
	}
	var tok struct{ Token string }
	s.call("POST", "/api/tokens", map[string]string{"name": "A only"}, &tok)
	script := &testServer{t: t, URL: s.URL, token: tok.Token}
	if code := script.callWith("GET", "/api/flows", "", "X-Hookflow-Team", teamB.ID); code != 403 {
		t.Fatalf("an API token of team A asking for team B answers %d, want 403", code)
	}
}

func TestAuth_RefusedSignupsAreRateLimitedPerAddressLikeSignIn(t *testing.T) {
	withLimit(t, &auth.IPLimit, 5)
	s := startServer(t, "sqlite", http.DefaultClient)
	anon := &testServer{t: t, URL: s.URL}
	for i := 1; i <= 5; i++ {
		if code := anon.call("POST", "/api/auth/signup", `{"email":"eve@example.com","password":"long enough"}`, nil); code != 409 {
			t.Fatalf("refused signup #%d answers %d, want 409", i, code)
		}
	}
	var e struct{ Error string }
	if code := anon.call("POST", "/api/auth/signup", `{"email":"eve@example.com","password":"long enough"}`, &e); code != 429 || !strings.Contains(e.Error, "wait") {
		t.Fatalf("after 5 refused signups from one address: %d %q, want 429 saying how long to wait", code, e.Error)
	}
	// Sign-in and signup share the address's budget: alternating does not double it.
	if code := anon.call("POST", "/api/auth/login", `{"email":"eve@example.com","password":"long enough"}`, nil); code != 429 {
		t.Fatalf("sign-in after 5 refused signups answers %d, want 429", code)
	}
}

// Signing up through an invitation with the email of an existing account must not say that the
// account exists: the right password joins that account to the team (as signing in, then
// accepting, would), a wrong one gets sign-in's answer, counted like a failed sign-in.
func TestAuth_InvitationSignupWithAnExistingEmailDoesNotSayTheAccountExists(t *testing.T) {
	withLimit(t, &auth.EmailLimit, 2)
	withLimit(t, &auth.InvitationLimit, 3)
	s := startServer(t, "sqlite", http.DefaultClient)
	anon := &testServer{t: t, URL: s.URL}
	invite := func() string { return s.invite("viewer") }
	// Xena has an account but is not in the team any more.
	var xena struct{ User struct{ ID string } }
	if code := anon.call("POST", "/api/auth/signup", map[string]string{"email": "xena@example.com", "password": "password of xena", "invitation": invite()}, &xena); code != 201 {
		t.Fatalf("xena's signup: %d", code)
	}
	if code := s.call("DELETE", "/api/members/"+xena.User.ID, nil, nil); code != 204 {
		t.Fatalf("removing xena: %d", code)
	}

	token := invite()
	var wrong, login struct{ Error string }
	code := anon.call("POST", "/api/auth/signup", map[string]string{"email": "Xena@example.com", "password": "not her password", "invitation": token}, &wrong)
	anon.call("POST", "/api/auth/login", `{"email":"nobody@example.com","password":"whatever it is"}`, &login)
	if code != 401 || wrong.Error != login.Error || strings.Contains(wrong.Error, "exist") {
		t.Fatalf("an existing email with a wrong password answers %d %q, want 401 with sign-in's %q", code, wrong.Error, login.Error)
	}
	var me struct {
		Team, Role string
		User       struct{ ID string }
	}
	if code := anon.call("POST", "/api/auth/signup", map[string]string{"email": "xena@example.com", "password": "password of xena", "invitation": token}, &me); code != 201 || me.User.ID != xena.User.ID || me.Role != "viewer" {
		t.Fatalf("the right password through the invitation: %d %+v, want 201 signed in to her own account as viewer", code, me)
	}
	var info struct{ Error string }
	if code := anon.call("GET", "/api/auth/invitations/"+token, nil, &info); code != 404 {
		t.Fatalf("the invitation after xena used it: %d, want 404 (used)", code)
	}

	// Wrong passwords count against the email like failed sign-ins ...
	token = invite()
	for i := 0; i < 2; i++ {
		anon.call("POST", "/api/auth/signup", map[string]string{"email": "owner@example.com", "password": "a wrong guess", "invitation": token}, nil)
	}
	if code := anon.call("POST", "/api/auth/login", `{"email":"owner@example.com","password":"password of owner"}`, nil); code != 429 {
		t.Fatalf("sign-in after 2 wrong passwords through an invitation answers %d, want 429", code)
	}
	// ... and against the invitation, which cannot be used to try many emails.
	anon.call("POST", "/api/auth/signup", map[string]string{"email": "xena@example.com", "password": "a wrong guess", "invitation": token}, nil)
	if code := anon.call("POST", "/api/auth/signup", map[string]string{"email": "fresh@example.com", "password": "password of fresh", "invitation": token}, nil); code != 429 {
		t.Fatalf("an invitation after 3 wrong passwords answers %d, want 429", code)
	}
}

// Login CSRF: a page of another site must not be able to sign a visitor's browser in to an
// account of its choosing (then watch what they build). A <form enctype="text/plain"> posts a body
// that reads as JSON, so requests that start or move a session must be JSON and, when a browser
// says where they come from, come from hookflow's own page.
func TestAuth_RequestsThatSetASessionRefuseOtherSitesAndNonJSONBodies(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	invitation := s.invite("viewer")
	var teamB struct{ ID string }
	s.call("POST", "/api/teams", map[string]string{"name": "B"}, &teamB)
	const login = `{"email":"owner@example.com","password":"password of owner"}`
	type req struct {
		name, path, body string
		headers          []string
		want             int
	}
	for _, tc := range []req{
		{"a text/plain form", "/api/auth/login", login, []string{"Content-Type", "text/plain"}, 415},
		{"an urlencoded form", "/api/auth/login", login, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{"a multipart form", "/api/auth/login", login, []string{"Content-Type", "multipart/form-data; boundary=x"}, 415},
		{"no content type", "/api/auth/login", login, []string{"Content-Type", ""}, 415},
		{"JSON from another site (Origin)", "/api/auth/login", login, []string{"Origin", "https://evil.example"}, 403},
		{"JSON from a sandboxed page (Origin: null)", "/api/auth/login", login, []string{"Origin", "null"}, 403},
		{"JSON from another site (Sec-Fetch-Site)", "/api/auth/login", login, []string{"Sec-Fetch-Site", "cross-site", "Origin", s.URL}, 403},
		{"JSON from a sibling subdomain", "/api/auth/login", login, []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"signup as a text/plain form", "/api/auth/signup", `{"email":"eve@example.com","password":"long enough","invitation":"` + invitation + `"}`, []string{"Content-Type", "text/plain"}, 415},
		{"signup from another site", "/api/auth/signup", `{"email":"eve@example.com","password":"long enough","invitation":"` + invitation + `"}`, []string{"Origin", "http://evil.example"}, 403},
		{"team switch from another site", "/api/auth/team", `{"team":"` + teamB.ID + `"}`, []string{"Authorization", "Bearer " + s.token, "Origin", "http://evil.example"}, 403},
		{"accepting from another site", "/api/auth/invitations/" + invitation + "/accept", "", []string{"Authorization", "Bearer " + s.token, "Origin", "http://evil.example"}, 403},

		{"JSON from our page (Origin)", "/api/auth/login", login, []string{"Origin", s.URL}, 200},
		{"JSON from our page (Sec-Fetch-Site)", "/api/auth/login", login, []string{"Sec-Fetch-Site", "same-origin", "Origin", s.URL}, 200},
		{"JSON with a charset", "/api/auth/login", login, []string{"Content-Type", "application/json; charset=utf-8"}, 200},
		{"a script (no Origin)", "/api/auth/login", login, nil, 200},
		{"a script switching teams", "/api/auth/team", `{"team":"` + teamB.ID + `"}`, []string{"Authorization", "Bearer " + s.token}, 200},
		{"the editor accepting (no body)", "/api/auth/invitations/" + invitation + "/accept", "", []string{"Authorization", "Bearer " + s.token, "Content-Type", "", "Origin", s.URL}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, s.URL)
			code, body := b.send("POST", tc.path, tc.body, tc.headers...)
			if code != tc.want {
				t.Fatalf("answers %d %s, want %d", code, body, tc.want)
			}
			if code >= 400 {
				if b.cookie("hookflow_session") != "" {
					t.Fatal("a refused request set a session cookie")
				}
				if !strings.Contains(body, "error") {
					t.Fatalf("the refusal says nothing: %s", body)
				}
			}
		})
	}
}
