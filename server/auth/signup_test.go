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
