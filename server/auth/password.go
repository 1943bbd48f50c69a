package auth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Passwords are hashed with bcrypt (golang.org/x/crypto): maintained, salted, deliberately slow,
// and its cost is stored in the hash so it can be raised later without a migration.

// MinPassword and MaxPassword bound a password's length. bcrypt reads at most 72 bytes: longer
// passwords are refused rather than silently cut.
const (
	MinPassword = 8
	MaxPassword = 72
)

// hashCost is bcrypt's work factor.
var hashCost = bcrypt.DefaultCost

// UseHashCost sets bcrypt's work factor for the hashes made from now on (at least bcrypt's
// least). Other packages' tests call it before they start, with the least: each account they
// create costs a hash, a tenth of a second at the default and several times that under the race
// detector. A hash made at another cost still verifies (bcrypt keeps the cost in the hash).
func UseHashCost(cost int) { hashCost = max(cost, bcrypt.MinCost) }

// HashPassword returns the bcrypt hash of a password that passed CheckPasswordRules.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), hashCost)
	if err != nil {
		return "", fmt.Errorf("hashing the password: %w", err)
	}
	return string(h), nil
}

// PasswordMatches reports whether pw is the password of hash.
func PasswordMatches(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash is compared against when the email is unknown, so that a wrong email takes as long
// as a wrong password and sign-in does not reveal who has an account. It is made on first use:
// at start-up it would cost every process of the binary a bcrypt hash, JavaScript sandboxes too.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user, still hashed"), hashCost)
	return h
})

// CheckPasswordRules explains what is wrong with a new password, in words.
func CheckPasswordRules(pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPassword:
		return invalid("password", "auth.password_short", fmt.Sprintf("the password must be at least %d characters long", MinPassword), "min", strconv.Itoa(MinPassword))
	case len(pw) > MaxPassword:
		return invalid("password", "auth.password_long", fmt.Sprintf("the password must be at most %d bytes long (about %d Latin or %d Cyrillic letters)", MaxPassword, MaxPassword, MaxPassword/2),
			"max", strconv.Itoa(MaxPassword), "cyrillic", strconv.Itoa(MaxPassword/2))
	}
	return nil
}

// NormalizeEmail lower-cases and trims an email and checks it looks like one.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(e, '@')
	if at < 1 || at == len(e)-1 || len(e) > 320 || strings.ContainsAny(e, " \t\r\n<>,;\"") {
		return "", invalid("email", "auth.email_invalid", "enter an email address like anna@example.com")
	}
	return e, nil
}

// InvalidError is bad input: the field and a sentence for the person who typed it.
type InvalidError struct {
	Field   string
	Message string
	Code    string            // the API's message code (server/api/messages_*.go)
	Params  map[string]string // what the code's sentence is filled with
}

func (e *InvalidError) Error() string { return e.Message }

func invalid(field, code, msg string, params ...string) error {
	p := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	return &InvalidError{Field: field, Message: msg, Code: code, Params: p}
}

// IsInvalid reports whether err is bad input.
func IsInvalid(err error) bool {
	var ie *InvalidError
	return errors.As(err, &ie)
}
