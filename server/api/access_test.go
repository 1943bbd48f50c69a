package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/store"
)

// Who calls, in the route table.
const (
	anon   = "anonymous"
	viewer = "viewer"
	editor = "editor"
	owner  = "owner"
	other  = "owner of team B" // owns another team: every object of team A must look missing (404)
)

var tableRoles = []string{anon, viewer, editor, owner, other}

// What a route needs.
const (
	public   = "public"
	signedIn = "signed-in"
	view     = "view"
	edit     = "edit"
	manage   = "manage"
)

var needRank = map[string]int{public: 0, signedIn: 0, view: 1, edit: 2, manage: 3}
var roleRank = map[string]int{viewer: 1, editor: 2, owner: 3}

// accessRow is one registered route: what it needs, the status when allowed, and a body ({team},
// {email} and {password} are the caller's). Path parameters are filled from the fixture (see
// fill); fresh makes new objects for each request of a route that uses them up (delete,
// accept); keep takes what a later row uses up from an allowed answer.
type accessRow struct {
	method, path string
	need         string
	ok           int
	body         string
	fresh        func(f *accessFixture, role string) map[string]string
	keep         func(f *accessFixture, role string, answer []byte)
}

// accessTable must have a row for every route the server registers (ANY /hook/:token counts as
// one row for all its methods). Adding a route means adding one line here.
var accessTable = []accessRow{
	{method: "GET", path: "/healthz", need: public, ok: 200},
	{method: "GET", path: "/metrics", need: public, ok: 200},
	{method: "ANY", path: "/hook/:token", need: public, ok: 200},
	{method: "GET", path: "/", need: public, ok: 200},
	{method: "HEAD", path: "/", need: public, ok: 200},
	{method: "GET", path: "/:file", need: public, ok: 200},
	{method: "HEAD", path: "/:file", need: public, ok: 200},
	{method: "GET", path: "/assets/*", need: public, ok: 200},
	{method: "HEAD", path: "/assets/*", need: public, ok: 200},
	{method: "GET", path: "/engine/*", need: public, ok: 200},
	{method: "HEAD", path: "/engine/*", need: public, ok: 200},

	{method: "GET", path: "/api/auth/state", need: public, ok: 200},
	{method: "POST", path: "/api/auth/signup", need: public, ok: 409, body: `{"email":"late@example.com","password":"long enough"}`},
	{method: "POST", path: "/api/auth/login", need: public, ok: 200, body: `{"email":"{email}","password":"{password}"}`, keep: keepSession},
	{method: "GET", path: "/api/auth/invitations/:token", need: public, ok: 200, fresh: freshInvitation},
	{method: "POST", path: "/api/auth/invitations/:token/accept", need: signedIn, ok: 200, fresh: freshInvitation},
	{method: "POST", path: "/api/auth/logout", need: signedIn, ok: 204, fresh: freshSession},
	{method: "GET", path: "/api/auth/me", need: signedIn, ok: 200},
	{method: "POST", path: "/api/auth/team", need: signedIn, ok: 200, body: `{"team":"{team}"}`},
	{method: "POST", path: "/api/teams", need: signedIn, ok: 201, body: `{"name":"Another team"}`},

	{method: "GET", path: "/api/members", need: view, ok: 200},
	{method: "PUT", path: "/api/members/:user", need: manage, ok: 200, body: `{"role":"viewer"}`},
	{method: "DELETE", path: "/api/members/:user", need: manage, ok: 204, fresh: freshMember},
	{method: "GET", path: "/api/invitations", need: manage, ok: 200},
	{method: "POST", path: "/api/invitations", need: manage, ok: 201, body: `{"role":"editor"}`},
	{method: "DELETE", path: "/api/invitations/:invitation", need: manage, ok: 204, fresh: freshInvitation},
	{method: "GET", path: "/api/tokens", need: view, ok: 200},
	{method: "POST", path: "/api/tokens", need: view, ok: 201, body: `{"name":"script"}`},
	{method: "DELETE", path: "/api/tokens/:token", need: view, ok: 204, fresh: freshToken},
	{method: "GET", path: "/api/audit", need: manage, ok: 200},

	{method: "GET", path: "/api/kinds", need: signedIn, ok: 200},
	{method: "GET", path: "/api/presets", need: signedIn, ok: 200},

	{method: "GET", path: "/api/flows", need: view, ok: 200},
	{method: "POST", path: "/api/flows", need: edit, ok: 201, body: minimalFlow},
	{method: "POST", path: "/api/flows/import", need: edit, ok: 201, body: minimalFlow},
	{method: "GET", path: "/api/flows/:id", need: view, ok: 200},
	{method: "PUT", path: "/api/flows/:id", need: edit, ok: 200, body: `{"settings":{}}`},
	{method: "DELETE", path: "/api/flows/:id", need: edit, ok: 204, fresh: freshFlow},
	{method: "POST", path: "/api/flows/:id/start", need: edit, ok: 200},
	{method: "POST", path: "/api/flows/:id/duplicate", need: edit, ok: 201},
	{method: "POST", path: "/api/flows/:id/stop", need: edit, ok: 200, fresh: freshFlow},
	{method: "GET", path: "/api/flows/:id/versions", need: view, ok: 200},
	{method: "GET", path: "/api/flows/:id/versions/:version", need: view, ok: 200},
	{method: "POST", path: "/api/flows/:id/versions/:version/restore", need: edit, ok: 200, fresh: freshFlow},
	{method: "GET", path: "/api/flows/:id/export", need: view, ok: 200},
	{method: "GET", path: "/api/flows/:id/template", need: view, ok: 200},
	{method: "POST", path: "/api/flows/:id/test", need: edit, ok: 200, body: `{"payload":{"method":"GET","query":"email=a%40b.c&phone=1"}}`},
	{method: "POST", path: "/api/flows/:id/preview", need: edit, ok: 200, body: `{"document":` + minimalFlow + `,"payload":{"method":"GET","query":"email=a%40b.c"}}`},
	{method: "GET", path: "/api/flows/:id/samples", need: view, ok: 200},
	{method: "GET", path: "/api/flows/:id/runs", need: view, ok: 200},
	{method: "GET", path: "/api/flows/:id/runs/daily", need: view, ok: 200},
	{method: "POST", path: "/api/flows/:id/events/:event/replay", need: edit, ok: 202},
	// Allowed callers reach the websocket upgrade, which refuses a plain request with 400.
	{method: "GET", path: "/api/flows/:id/live", need: view, ok: 400},

	{method: "GET", path: "/api/runs/daily", need: view, ok: 200},
	{method: "GET", path: "/api/runs/:id", need: view, ok: 200},
	{method: "POST", path: "/api/runs/:id/retry", need: edit, ok: 202},

	{method: "GET", path: "/api/templates", need: view, ok: 200},
	{method: "POST", path: "/api/templates/:id/instantiate", need: edit, ok: 201, body: `{"inputs":` + cpaInputsJSON + `}`},
	{method: "POST", path: "/api/flows/:id/save-template", need: edit, ok: 201, body: `{"name":"Our CPA flow","inputs":[{"node":"send","field":"url","key":"target_url"}]}`},
	{method: "POST", path: "/api/templates/import", need: edit, ok: 201, body: templateFile},
	{method: "GET", path: "/api/templates/:id/export", need: view, ok: 200},
	{method: "DELETE", path: "/api/templates/:id", need: edit, ok: 204, fresh: freshTemplate},
}

const minimalFlow = `{"schema":1,"name":"minimal","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`
const templateFile = `{"schema":1,"name":"shared","template":{"id":"x","title":{"en":"Shared"}},"nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`
const cpaInputsJSON = `{"api_key":"k","id_webmaster":"1","id_offer":"2","id_source":"3","id_stream":"4"}`

// onlyTeamA reports whether the route names an object that belongs to a team (so team B's
// owner must get 404 for team A's): every parameter route but the public and team-less ones.
func onlyTeamA(path string) bool {
	switch path {
	case "/hook/:token", "/:file", "/api/auth/invitations/:token", "/api/auth/invitations/:token/accept",
		"/api/templates/:id/instantiate": // a built-in template: every team has it
		return false
	}
	return strings.Contains(path, ":")
}

// want is the status a role must get on a row.
func (r accessRow) want(role string) int {
	switch {
	case r.need == public:
		return r.ok
	case role == anon:
		return http.StatusUnauthorized
	case role == other && onlyTeamA(r.path):
		return http.StatusNotFound
	case role == other || r.need == signedIn || roleRank[role] >= needRank[r.need]:
		return r.ok
	}
	return http.StatusForbidden
}

// accessFixture is team A (owner, editor, viewer, a spare member, a started flow with a run) and
// team B (its owner, who is in no other team).
//
// A password hash at bcrypt's real cost takes a second or more under the race detector: the
// fixture's users have cheap ones (see join) and sign in once each, the login row's sessions are
// the ones the logout row ends, and the member the DELETE row removes is the spare, who joins
// again through an invitation.
type accessFixture struct {
	t        *testing.T
	s        *testServer
	creds    map[string]string // role → Bearer token (a session token from sign-in)
	email    map[string]string
	teams    map[string]string // role → current team
	ids      map[string]string // hook, flow, run, event, user, invitation, token
	spare    string            // the spare member's session
	sessions map[string]string // role → a session of theirs kept for the logout row
}

func (f *accessFixture) do(role, method, path, body string) (int, []byte) {
	f.t.Helper()
	return f.doWith(f.creds[role], method, path, body)
}

func (f *accessFixture) doWith(token, method, path, body string) (int, []byte) {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.s.e.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func (f *accessFixture) must(role, method, path, body string, want int, out any) {
	f.t.Helper()
	code, data := f.do(role, method, path, body)
	if code != want {
		f.t.Fatalf("%s %s as %s → %d, want %d: %s", method, path, role, code, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			f.t.Fatal(err)
		}
	}
}

// join adds a new user to the owner's team through an invitation and signs them in. The user
// is stored as a signup through the invitation stores one, but underneath the API, with the
// password hashed at bcrypt's lowest cost: under the race detector each hash at the real cost
// takes a second or more, and the table checks who may call what (hashing has tests of its own).
func (f *accessFixture) join(email, password, role string) (session, userID string) {
	f.t.Helper()
	var inv struct{ Token string }
	f.must(owner, "POST", "/api/invitations", `{"role":"`+role+`"}`, 201, &inv)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		f.t.Fatal(err)
	}
	u := &store.User{ID: store.NewID(), Email: email, PasswordHash: string(hash)}
	if _, err := f.s.st.AcceptInvitation(context.Background(), auth.HashToken(inv.Token), u, true); err != nil {
		f.t.Fatalf("joining through an invitation: %v", err)
	}
	return f.signIn(email, password), u.ID
}

// signInAs is whom a role signs in as: themselves, and anonymous callers as the viewer.
func (f *accessFixture) signInAs(role string) (email, password string) {
	if role == anon {
		role = viewer
	}
	return f.email[role], "password of " + strings.Fields(role)[0]
}

func (f *accessFixture) login(role string) string {
	f.t.Helper()
	return f.signIn(f.signInAs(role))
}

func (f *accessFixture) signIn(email, password string) string {
	f.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	var me struct{ Token string }
	code, data := f.doWith("", "POST", "/api/auth/login", string(body))
	if code != 200 {
		f.t.Fatalf("sign-in as %s: %d %s", email, code, data)
	}
	_ = json.Unmarshal(data, &me)
	return me.Token
}

func newAccessFixture(t *testing.T) *accessFixture {
	s, _ := startWithCPA(t)
	f := &accessFixture{t: t, s: s, creds: map[string]string{owner: s.token}, teams: map[string]string{},
		email: map[string]string{owner: "owner@example.com"}, ids: map[string]string{}, sessions: map[string]string{}}
	for _, role := range []string{editor, viewer} {
		f.email[role] = role + "@example.com"
		f.creds[role], _ = f.join(f.email[role], "password of "+role, role)
	}
	f.spare, f.ids["user"] = f.join("spare@example.com", "password of spare", "editor")
	var me struct{ Team string }
	f.must(owner, "GET", "/api/auth/me", "", 200, &me)
	for _, role := range []string{owner, editor, viewer} {
		f.teams[role] = me.Team
	}

	// Team B: someone invited to A creates their own team, then is removed from A.
	f.email[other] = "b@example.com"
	var otherID string
	f.creds[other], otherID = f.join(f.email[other], "password of owner", "viewer")
	var team struct{ ID string }
	f.must(other, "POST", "/api/teams", `{"name":"Team B"}`, 201, &team)
	f.teams[other] = team.ID
	f.must(owner, "DELETE", "/api/members/"+otherID, "", 204, nil)
	f.must(other, "GET", "/api/auth/me", "", 200, &me)
	if me.Team != team.ID {
		t.Fatalf("team B's owner works in %q, want team B %q", me.Team, team.ID)
	}
	f.must(other, "POST", "/api/flows", minimalFlow, 201, nil)

	// Team A's objects: a started flow with a run from a webhook, a token, an invitation.
	v := s.cpaHouse()
	ack := hook(t, v.WebhookURL, "GET", "email=a%40b.c&phone=1", "", "")
	runs := s.waitRuns(v.ID, "success", 1, 10*time.Second)
	f.ids["flow"], f.ids["run"], f.ids["event"] = v.ID, runs[0].ID, ack["event_id"].(string)
	f.ids["hook"] = v.WebhookURL[strings.LastIndex(v.WebhookURL, "/")+1:]
	f.ids["template"] = freshTemplate(f, owner)["template"]
	return f
}

func freshTemplate(f *accessFixture, role string) map[string]string {
	var tpl struct{ ID string }
	f.must(owner, "POST", "/api/templates/import", templateFile, 201, &tpl)
	return map[string]string{"template": tpl.ID}
}

// The fresh objects of rows that use theirs up. Team B's owner gets team A's (to prove they
// cannot touch them), except invitations to accept, which come from their own team.
func freshFlow(f *accessFixture, role string) map[string]string {
	var v struct{ ID string }
	f.must(owner, "POST", "/api/templates/getcourse-cpa-house/instantiate", `{"inputs":`+cpaInputsJSON+`}`, 201, &v)
	f.must(owner, "POST", "/api/flows/"+v.ID+"/start", "", 200, nil)
	return map[string]string{"flow": v.ID}
}

func freshInvitation(f *accessFixture, role string) map[string]string {
	from := owner
	if role == other {
		from = other
	}
	var inv struct{ ID, Token string }
	f.must(from, "POST", "/api/invitations", `{"role":"viewer"}`, 201, &inv)
	if role == other {
		// DELETE /api/invitations/:invitation must not reach team A's from team B.
		var invA struct{ ID string }
		f.must(owner, "POST", "/api/invitations", `{"role":"viewer"}`, 201, &invA)
		inv.ID = invA.ID
	}
	return map[string]string{"invitation": inv.ID, "invite": inv.Token}
}

// freshMember makes sure the spare is a member of team A, joining again after a removal.
func freshMember(f *accessFixture, role string) map[string]string {
	var list struct {
		Members []struct {
			UserID string `json:"user_id"`
		}
	}
	f.must(owner, "GET", "/api/members", "", 200, &list)
	for _, m := range list.Members {
		if m.UserID == f.ids["user"] {
			return map[string]string{"user": f.ids["user"]}
		}
	}
	var inv struct{ Token string }
	f.must(owner, "POST", "/api/invitations", `{"role":"viewer"}`, 201, &inv)
	if code, data := f.doWith(f.spare, "POST", "/api/auth/invitations/"+inv.Token+"/accept", ""); code != 200 {
		f.t.Fatalf("the spare joins again: %d %s", code, data)
	}
	return map[string]string{"user": f.ids["user"]}
}

func freshToken(f *accessFixture, role string) map[string]string {
	as := role
	if role == other || role == anon {
		as = owner
	}
	var tok struct{ ID string }
	f.must(as, "POST", "/api/tokens", `{"name":"to revoke"}`, 201, &tok)
	return map[string]string{"token": tok.ID}
}

// freshSession is the session the login row started for the role (a new sign-in when that row
// did not run).
func freshSession(f *accessFixture, role string) map[string]string {
	if role == anon {
		return nil
	}
	session, ok := f.sessions[role]
	if !ok {
		session = f.login(role)
	}
	delete(f.sessions, role)
	return map[string]string{"cred": session}
}

func keepSession(f *accessFixture, role string, answer []byte) {
	var me struct{ Token string }
	if err := json.Unmarshal(answer, &me); err != nil || me.Token == "" {
		f.t.Fatalf("sign-in as %s gave no session: %v %s", role, err, answer)
	}
	f.sessions[role] = me.Token
}

// fill turns a route into a request path with the fixture's objects.
func fill(path string, ids map[string]string) string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		switch {
		case seg == ":token" && strings.HasPrefix(path, "/hook/"):
			seg = ids["hook"]
		case seg == ":token" && strings.HasPrefix(path, "/api/auth/invitations/"):
			seg = ids["invite"]
		case seg == ":token":
			seg = ids["token"]
		case seg == ":id" && strings.HasPrefix(path, "/api/runs/"):
			seg = ids["run"]
		case seg == ":id" && strings.HasSuffix(path, "/instantiate"):
			seg = "getcourse-cpa-house"
		case seg == ":id" && strings.HasPrefix(path, "/api/templates/"):
			seg = ids["template"]
		case seg == ":id":
			seg = ids["flow"]
		case seg == ":version":
			seg = "1"
		case seg == ":file": // the editor's files (server_test.go's testUI)
			seg = "favicon.svg"
		case seg == "*" && strings.HasPrefix(path, "/assets/"):
			seg = "app-1.js"
		case seg == "*" && strings.HasPrefix(path, "/engine/"):
			seg = "worker.js"
		case strings.HasPrefix(seg, ":"):
			seg = ids[seg[1:]]
		}
		out = append(out, seg)
	}
	return strings.Join(out, "/")
}

func TestAccess_EveryRouteHasARowInTheRoleTable(t *testing.T) {
	t.Parallel()
	s, _ := startWithCPA(t)
	rows := map[string]bool{}
	for _, r := range accessTable {
		rows[r.method+" "+r.path] = true
	}
	registered := map[string]bool{}
	var missing []string
	for _, rt := range s.e.Routes() {
		key := rt.Method + " " + rt.Path
		if rt.Path == "/hook/:token" {
			key = "ANY /hook/:token"
		}
		registered[key] = true
		if !rows[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes without a row in accessTable (add one line each):\n  %s", strings.Join(missing, "\n  "))
	}
	for key := range rows {
		if !registered[key] {
			t.Errorf("accessTable has a row for %s, which the server does not register", key)
		}
	}
}

func TestAccess_RoleTableAnonymousViewerEditorOwnerAndOtherTeam(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	methods := map[string][]string{}
	for _, rt := range f.s.e.Routes() {
		methods[rt.Path] = append(methods[rt.Path], rt.Method)
	}
	for _, row := range accessTable {
		t.Run(row.method+" "+row.path, func(t *testing.T) {
			f.t = t
			ms := []string{row.method}
			if row.method == "ANY" {
				ms = methods[row.path]
			}
			for _, m := range ms {
				for _, role := range tableRoles {
					ids := map[string]string{}
					for k, v := range f.ids {
						ids[k] = v
					}
					if row.fresh != nil {
						for k, v := range row.fresh(f, role) {
							ids[k] = v
						}
					}
					cred := f.creds[role]
					if c, ok := ids["cred"]; ok {
						cred = c
					}
					email, password := f.signInAs(role)
					body := strings.NewReplacer("{team}", f.teams[role], "{email}", email, "{password}", password).Replace(row.body)
					code, data := f.doWith(cred, m, fill(row.path, ids), body)
					if want := row.want(role); code != want {
						t.Errorf("%s %s as %s → %d, want %d: %.200s", m, row.path, role, code, want, data)
					} else if row.keep != nil && code == row.ok {
						row.keep(f, role, data)
					}
				}
			}
		})
	}
}
