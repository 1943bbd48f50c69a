package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

// send makes one request with a Bearer token and returns the status; it is safe to call from
// several goroutines (it never fails the test itself).
func send(base, token, method, path, body string) (int, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// twoOwners is a team with owners A (the instance's owner) and B (invited as owner).
type twoOwners struct {
	s          *testServer
	team       string
	ids, creds [2]string
}

func newTwoOwners(t *testing.T, dialect string) *twoOwners {
	s := startServer(t, dialect, http.DefaultClient)
	f := &twoOwners{s: s}
	var me struct {
		Team string
		User struct{ ID string }
	}
	s.call("GET", "/api/auth/me", nil, &me)
	f.team, f.ids[0], f.creds[0] = me.Team, me.User.ID, s.token
	invitation := s.invite("owner")
	var b struct {
		Token string
		User  struct{ ID string }
	}
	anon := &testServer{t: t, URL: s.URL}
	if code := anon.call("POST", "/api/auth/signup", map[string]string{"email": "b@example.com", "password": "password of b", "invitation": invitation}, &b); code != 201 {
		t.Fatalf("signup of B: %d", code)
	}
	f.ids[1], f.creds[1] = b.User.ID, b.Token
	return f
}

// owners lists the team's owners, read from the database.
func (f *twoOwners) owners(t *testing.T) []string {
	t.Helper()
	list, err := f.s.st.Members(context.Background(), f.team)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range list {
		if m.Role == store.RoleOwner {
			out = append(out, m.UserID)
		}
	}
	return out
}

// restore makes both A and B owners again, through the remaining owner.
func (f *twoOwners) restore(t *testing.T) {
	t.Helper()
	owners := f.owners(t)
	if len(owners) == 2 {
		return
	}
	if len(owners) != 1 {
		t.Fatalf("owners = %v, want one to restore from", owners)
	}
	by, other := 0, 1
	if owners[0] == f.ids[1] {
		by, other = 1, 0
	}
	if _, err := f.s.st.Member(context.Background(), f.team, f.ids[other]); err == nil {
		if code, err := send(f.s.URL, f.creds[by], "PUT", "/api/members/"+f.ids[other], `{"role":"owner"}`); code != 200 {
			t.Fatalf("promoting back: %d %v", code, err)
		}
		return
	}
	// Removed: a new owner invitation, accepted by them (their session survives the removal).
	by0 := &testServer{t: t, URL: f.s.URL, token: f.creds[by]}
	var inv struct{ Token string }
	if code := by0.call("POST", "/api/invitations", map[string]string{"role": "owner"}, &inv); code != 201 {
		t.Fatalf("invitation: %d", code)
	}
	if code, err := send(f.s.URL, f.creds[other], "POST", "/api/auth/invitations/"+inv.Token+"/accept", ""); code != 200 {
		t.Fatalf("accepting again: %d %v", code, err)
	}
}

func TestTeam_ConcurrentDemotionsAndRemovalsAlwaysLeaveAnOwner(t *testing.T) {
	t.Parallel()
	const tries = 16
	type request struct{ by, target int } // indexes into A, B
	for _, dialect := range testdb.Dialects() {
		f := newTwoOwners(t, dialect) // one team for every case: each try starts from two owners
		for _, tc := range []struct {
			name   string
			method string
			body   string
			reqs   []request
		}{
			{"owners demote each other", "PUT", `{"role":"viewer"}`, []request{{0, 1}, {1, 0}}},
			{"owners step down together", "PUT", `{"role":"editor"}`, []request{{0, 0}, {1, 1}}},
			{"owners remove each other", "DELETE", "", []request{{0, 1}, {1, 0}}},
			{"owners leave together", "DELETE", "", []request{{0, 0}, {1, 1}}},
		} {
			t.Run(dialect+"/"+tc.name, func(t *testing.T) {
				for try := 1; try <= tries; try++ {
					f.restore(t)
					start := make(chan struct{})
					codes := make([]int, len(tc.reqs))
					errs := make([]error, len(tc.reqs))
					var wg sync.WaitGroup
					for i, r := range tc.reqs {
						wg.Add(1)
						go func() {
							defer wg.Done()
							<-start
							codes[i], errs[i] = send(f.s.URL, f.creds[r.by], tc.method, "/api/members/"+f.ids[r.target], tc.body)
						}()
					}
					close(start)
					wg.Wait()
					for _, err := range errs {
						if err != nil {
							t.Fatal(err)
						}
					}
					owners := f.owners(t)
					if len(owners) != 1 {
						t.Fatalf("try %d: answers %v leave owners %v, want exactly one owner", try, codes, owners)
					}
					ok := 0
					for _, c := range codes {
						switch c {
						case 200, 204:
							ok++
						case 403, 404, 409: // no longer an owner, already gone, the last owner
						default:
							t.Fatalf("try %d: answers %v", try, codes)
						}
					}
					if ok != 1 {
						t.Fatalf("try %d: answers %v, want exactly one change to succeed", try, codes)
					}
				}
			})
		}
	}
}

// The answer of a refused change says why, in words.
func TestTeam_LastOwnerRefusalIsASentence(t *testing.T) {
	t.Parallel()
	f := newTwoOwners(t, "sqlite")
	if code, _ := send(f.s.URL, f.creds[0], "DELETE", "/api/members/"+f.ids[1], ""); code != 204 {
		t.Fatalf("removing B: %d", code)
	}
	var e struct{ Error string }
	a := &testServer{t: t, URL: f.s.URL, token: f.creds[0]}
	if code := a.call("PUT", "/api/members/"+f.ids[0], map[string]string{"role": "viewer"}, &e); code != 409 || !strings.Contains(e.Error, "at least one owner") {
		t.Fatalf("the last owner stepping down: %d %q", code, e.Error)
	}
}
