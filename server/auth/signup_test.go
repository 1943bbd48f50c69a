package auth

import (
	"context"
	"errors"
	"testing"

	"github.com/hookflow/hookflow/server/internal/testdb"
)

// countHashes makes s count the passwords it hashes.
func countHashes(s *Service) *int {
	n := new(int)
	s.hash = func(pw string) (string, error) {
		*n++
		return HashPassword(pw)
	}
	return n
}

// A signup that will be refused must not pay for bcrypt first: 261 of them in 10 s used to take
// 94% of the CPU.
func TestSignup_RefusedSignupsHashNoPassword(t *testing.T) {
	ctx := context.Background()
	s := New(testdb.Open(t, "sqlite"))
	hashes := countHashes(s)
	if _, _, err := s.Signup(ctx, "owner@example.com", "password of owner", "", "", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if *hashes != 1 {
		t.Fatalf("the first owner's signup hashed %d passwords, want 1", *hashes)
	}
	for _, tc := range []struct {
		name, invitation string
		want             error
	}{
		{"no invitation on an instance with an owner", "", ErrSignupClosed},
		{"an invitation that does not exist", "hfi_not-an-invitation", ErrInvitationInvalid},
	} {
		*hashes = 0
		_, _, err := s.Signup(ctx, "eve@example.com", "long enough", "", tc.invitation, "192.0.2.2")
		if !errors.Is(err, tc.want) || *hashes != 0 {
			t.Errorf("%s: %v after %d hashes, want %v after none", tc.name, err, *hashes, tc.want)
		}
	}
}

// What the live log asks about an open websocket: each way a credential ends is noticed.
func TestStillAllowed_NoticesAnEndedSessionARevokedTokenAndALostMembership(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, dialect)
			s := New(st)
			u, team, err := s.Signup(ctx, "owner@example.com", "password of owner", "", "", "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			session, _, err := s.NewSession(ctx, u.ID, team)
			if err != nil {
				t.Fatal(err)
			}
			_, tok, err := s.CreateAPIToken(ctx, team, u.ID, "script")
			if err != nil {
				t.Fatal(err)
			}
			sessionID := HashToken(session)
			if err := s.StillAllowed(ctx, sessionID, tok.ID, u.ID, team); err != nil {
				t.Fatalf("a valid credential: %v", err)
			}
			if err := s.StillAllowed(ctx, "", "", u.ID, "another team"); !errors.Is(err, ErrNotMember) {
				t.Fatalf("a team the user is not in: %v, want ErrNotMember", err)
			}
			if err := st.RevokeAPIToken(ctx, team, u.ID, tok.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.StillAllowed(ctx, "", tok.ID, u.ID, team); !errors.Is(err, ErrTokenNotRecognised) {
				t.Fatalf("a revoked token: %v, want ErrTokenNotRecognised", err)
			}
			if err := st.DeleteSession(ctx, sessionID); err != nil {
				t.Fatal(err)
			}
			if err := s.StillAllowed(ctx, sessionID, "", u.ID, team); !errors.Is(err, ErrNotAuthenticated) {
				t.Fatalf("a signed-out session: %v, want ErrNotAuthenticated", err)
			}
		})
	}
}

// The cost of a refused signup against bcrypt's (the baseline it used to pay first): compare
// ns/op of the two in one run.
func BenchmarkSignup_RefusedWithoutInvitation(b *testing.B) {
	ctx := context.Background()
	s := New(testdb.Open(b, "sqlite"))
	if _, _, err := s.Signup(ctx, "owner@example.com", "password of owner", "", "", "192.0.2.1"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		ip := "198.51.100." + string(rune('0'+i%10)) + string(rune('a'+i/10%26)) // below each address's limit
		if _, _, err := s.Signup(ctx, "eve@example.com", "long enough", "", "", ip); !errors.Is(err, ErrSignupClosed) {
			b.Fatal(err)
		}
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for range b.N {
		if _, err := HashPassword("long enough"); err != nil {
			b.Fatal(err)
		}
	}
}
