package auth

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswordRules_ExplainTooShortAndTooLong(t *testing.T) {
	for _, tc := range []struct {
		pw   string
		want string
	}{
		{"short", "at least 8"},
		{strings.Repeat("a", 73), "at most 72 bytes"},
		{strings.Repeat("я", 37), "at most 72 bytes"}, // 74 bytes in UTF-8
		{"correct horse", ""},
		{strings.Repeat("я", 8), ""},
	} {
		err := CheckPasswordRules(tc.pw)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q: %v, want %q", tc.pw, err, tc.want)
		}
	}
}

func TestPasswordHash_MatchesOnlyTheSamePassword(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "correct horse") || !PasswordMatches(h, "correct horse") || PasswordMatches(h, "correct horsE") {
		t.Fatalf("hash %q", h)
	}
	// The service hashes at bcrypt's default cost (other packages' tests lower it for speed).
	if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != bcrypt.DefaultCost {
		t.Fatalf("hashed at cost %d (%v), want bcrypt's default %d", cost, err, bcrypt.DefaultCost)
	}
	// A hash made at another cost still verifies once the cost changes.
	defer UseHashCost(hashCost)
	UseHashCost(bcrypt.MinCost)
	if cheap, err := HashPassword("correct horse"); err != nil || !PasswordMatches(h, "correct horse") || !PasswordMatches(cheap, "correct horse") {
		t.Fatalf("after lowering the cost: %q %v", cheap, err)
	}
}

func TestNormalizeEmail_LowercasesAndRefusesNonEmails(t *testing.T) {
	for in, want := range map[string]string{" Anna@Example.RU ": "anna@example.ru", "a@b": "a@b", "no-at": "", "@x": "", "x@": "", "a b@c": ""} {
		got, err := NormalizeEmail(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%q → %q %v, want %q", in, got, err, want)
		}
	}
}

func TestLimiter_OnlyFailuresCountAndEachKeyHasItsOwnBucket(t *testing.T) {
	l := newLimiter(Limit{Burst: 2, Every: time.Hour})
	if l.wait("a") != 0 {
		t.Fatal("a new key waits")
	}
	l.fail("a")
	l.fail("a")
	if l.wait("a") <= 0 {
		t.Fatal("two failures of a burst of two should make the key wait")
	}
	if l.wait("b") != 0 {
		t.Fatal("another key waits too")
	}
}

func TestLimiter_ManyKeysDoNotGrowWithoutBound(t *testing.T) {
	l := newLimiter(Limit{Burst: 1, Every: time.Hour})
	for i := 0; i < limiterMaxKeys+10; i++ {
		l.fail(string(rune(i)) + "x")
	}
	if len(l.m) > limiterMaxKeys {
		t.Fatalf("%d buckets, limit %d", len(l.m), limiterMaxKeys)
	}
}

func TestSecrets_AreRandomPrefixedAndStoredAsHash(t *testing.T) {
	a, ha := newSecret(prefixAPI)
	b, _ := newSecret(prefixAPI)
	if a == b || !strings.HasPrefix(a, "hft_") || len(a) < 40 || ha != HashToken(a) || strings.Contains(ha, a) {
		t.Fatalf("tokens %q %q hash %q", a, b, ha)
	}
}
