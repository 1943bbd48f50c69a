package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// Errors the API turns into answers.
var (
	ErrBadCredentials     = errors.New("the email or the password is wrong")
	ErrSignupClosed       = errors.New("this hookflow already has an owner: ask them for an invitation link")
	ErrInvitationInvalid  = errors.New("this invitation link is not valid any more: it was used, withdrawn or is older than 7 days; ask for a new one")
	ErrNotAuthenticated   = errors.New("sign in first")
	ErrTokenNotRecognised = errors.New("this API token is not valid (it may have been revoked)")
	ErrNotMember          = errors.New("you are not a member of the team named in the X-Hookflow-Team header")
)

// RateLimitedError says sign-in is paused for this account or address.
type RateLimitedError struct{ Wait time.Duration }

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many failed sign-in attempts; wait %d seconds and try again", e.Seconds())
}

// Seconds is the wait in whole seconds, at least one.
func (e *RateLimitedError) Seconds() int { return max(int(e.Wait.Seconds()+0.999), 1) }

type teamNameKey struct{}

// WithDefaultTeamName names the team a first sign-up creates (in the language the owner chose);
// without it the team is called "My team".
func WithDefaultTeamName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, teamNameKey{}, name)
}

func defaultTeamName(ctx context.Context) string {
	if n, _ := ctx.Value(teamNameKey{}).(string); n != "" {
		return n
	}
	return "My team"
}

// SessionTTL is how long a browser stays signed in.
const SessionTTL = 30 * 24 * time.Hour

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// Service is accounts over the store.
type Service struct {
	store   *store.Store
	emails  *limiter // failed sign-ins per email
	ips     *limiter // failed sign-ins and refused signups per address
	invites *limiter // wrong passwords per invitation
	hash    func(password string) (string, error)
}

// New returns the accounts service of a store.
func New(st *store.Store) *Service {
	return &Service{store: st, emails: newLimiter(EmailLimit), ips: newLimiter(IPLimit),
		invites: newLimiter(InvitationLimit), hash: HashPassword}
}

// Principal is who makes a request and in which team.
type Principal struct {
	User    *store.User
	TeamID  string // "" when the user belongs to no team (any more)
	Role    string // their role in TeamID
	Session *store.Session
	Token   *store.APIToken
}

// SignupOpen reports whether the instance has no user yet (the next signup creates the owner).
func (s *Service) SignupOpen(ctx context.Context) (bool, error) {
	n, err := s.store.CountUsers(ctx)
	return n == 0, err
}

// Signup creates an account: the owner of a new team on an empty instance, otherwise a member
// of the team of the invitation (required then). ip is the caller's address, for the rate limit.
//
// Everything that can refuse the signup is checked before the password is hashed (bcrypt is
// slow on purpose), and refusals count against the address like failed sign-ins.
//
// Through an invitation, an email that has an account already is signed in rather than refused:
// with its password the account joins the team (as signing in, then accepting, would); with a
// wrong one the answer is sign-in's ErrBadCredentials, counted against the email, the address
// and the invitation. Saying "this email has an account" would let anyone holding one invitation
// test any number of emails without using it up.
func (s *Service) Signup(ctx context.Context, email, password, name, invitation, ip string) (*store.User, string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	if err := CheckPasswordRules(password); err != nil {
		return nil, "", err
	}
	if d := s.ips.wait(ip); d > 0 {
		return nil, "", &RateLimitedError{Wait: d}
	}
	if invitation == "" {
		if open, err := s.SignupOpen(ctx); err != nil {
			return nil, "", err
		} else if !open {
			s.ips.fail(ip)
			return nil, "", ErrSignupClosed
		}
		u, err := s.newUser(email, password, name)
		if err != nil {
			return nil, "", err
		}
		team := &store.Team{ID: store.NewID(), Name: defaultTeamName(ctx)}
		if err := s.store.CreateOwner(ctx, u, team); err != nil {
			if errors.Is(err, store.ErrTaken) {
				return nil, "", ErrSignupClosed
			}
			return nil, "", fmt.Errorf("creating the owner: %w", err)
		}
		return u, team.ID, nil
	}

	hash := HashToken(invitation)
	// The email's sign-in limit applies whether or not it has an account, so that it says nothing.
	if d := max(s.invites.wait(hash), s.emails.wait(email)); d > 0 {
		return nil, "", &RateLimitedError{Wait: d}
	}
	if _, err := s.store.Invitation(ctx, hash); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.ips.fail(ip)
			return nil, "", ErrInvitationInvalid
		}
		return nil, "", err
	}
	existing, err := s.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, "", err
	}
	u, newUser := existing, false
	if existing != nil {
		if _, err := s.Login(ctx, email, password, ip); err != nil {
			if errors.Is(err, ErrBadCredentials) {
				s.invites.fail(hash)
			}
			return nil, "", err
		}
	} else {
		if u, err = s.newUser(email, password, name); err != nil {
			return nil, "", err
		}
		newUser = true
	}
	inv, err := s.store.AcceptInvitation(ctx, hash, u, newUser)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, "", ErrInvitationInvalid
	case errors.Is(err, store.ErrTaken):
		// The same email signed up a moment ago, with a password this one was not checked against.
		return nil, "", ErrBadCredentials
	case err != nil:
		return nil, "", fmt.Errorf("accepting the invitation: %w", err)
	}
	return u, inv.TeamID, nil
}

// newUser returns a user with the password hashed.
func (s *Service) newUser(email, password, name string) (*store.User, error) {
	hash, err := s.hash(password)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if len(name) > 200 {
		name = name[:200]
	}
	return &store.User{ID: store.NewID(), Email: email, Name: name, PasswordHash: hash}, nil
}

// Login checks an email and password. Failures count against the email and the address; while
// either is over its limit, even the right password is refused with a RateLimitedError.
func (s *Service) Login(ctx context.Context, email, password, ip string) (*store.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if d := max(s.emails.wait(email), s.ips.wait(ip)); d > 0 {
		return nil, &RateLimitedError{Wait: d}
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	hash := string(dummyHash())
	if u != nil {
		hash = u.PasswordHash
	}
	if !PasswordMatches(hash, password) || u == nil {
		s.emails.fail(email)
		s.ips.fail(ip)
		return nil, ErrBadCredentials
	}
	return u, nil
}

// NewSession signs a browser in to a team; it returns the session token and the CSRF token.
func (s *Service) NewSession(ctx context.Context, userID, teamID string) (token, csrf string, err error) {
	token, hash := newSecret(prefixSession)
	csrf, _ = newSecret("")
	err = s.store.CreateSession(ctx, &store.Session{ID: hash, UserID: userID, TeamID: teamID, CSRF: csrf,
		ExpiresAt: time.Now().UTC().Add(SessionTTL)})
	return token, csrf, err
}

// EndSession signs a browser out.
func (s *Service) EndSession(ctx context.Context, sess *store.Session) error {
	return s.store.DeleteSession(ctx, sess.ID)
}

// FromSession resolves a session token. team, when set, picks one of the user's teams for this
// request (the X-Hookflow-Team header); otherwise the session's chosen team is used.
func (s *Service) FromSession(ctx context.Context, token, team string) (*Principal, error) {
	sess, err := s.store.Session(ctx, HashToken(token))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotAuthenticated
		}
		return nil, err
	}
	u, err := s.store.User(ctx, sess.UserID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotAuthenticated
		}
		return nil, err
	}
	p := &Principal{User: u, Session: sess}
	if team != "" {
		// A team asked for explicitly must be the user's: acting silently in another team
		// would create flows in the wrong place.
		m, err := s.store.Member(ctx, team, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotMember
		}
		if err != nil {
			return nil, err
		}
		p.TeamID, p.Role = m.TeamID, m.Role
		return p, nil
	}
	return p, s.placeIn(ctx, p, sess.TeamID)
}

// placeIn sets the principal's team and role: the session's team when they are still a member,
// otherwise their first team.
func (s *Service) placeIn(ctx context.Context, p *Principal, team string) error {
	if team != "" {
		m, err := s.store.Member(ctx, team, p.User.ID)
		if err == nil {
			p.TeamID, p.Role = m.TeamID, m.Role
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	teams, err := s.store.Memberships(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if len(teams) > 0 {
		p.TeamID, p.Role = teams[0].TeamID, teams[0].Role
	}
	return nil
}

// FromAPIToken resolves a Bearer token: an API token (bound to its team, with its user's
// current role there) or a session token given by a script.
func (s *Service) FromAPIToken(ctx context.Context, token, team string) (*Principal, error) {
	if strings.HasPrefix(token, prefixSession) {
		return s.FromSession(ctx, token, team)
	}
	t, err := s.store.APIToken(ctx, HashToken(token))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrTokenNotRecognised
		}
		return nil, err
	}
	m, err := s.store.Member(ctx, t.TeamID, t.UserID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrTokenNotRecognised // its user left the team
		}
		return nil, err
	}
	u, err := s.store.User(ctx, t.UserID)
	if err != nil {
		return nil, ErrTokenNotRecognised
	}
	if team != "" && team != t.TeamID {
		return nil, ErrNotMember // an API token acts only in its own team
	}
	return &Principal{User: u, TeamID: t.TeamID, Role: m.Role, Token: t}, nil
}

// StillAllowed says whether a credential checked a while ago still holds: the session (by its
// id) exists and has not expired, the API token (by its id) is not revoked, and the user is
// still a member of the team. Empty arguments are not checked. The live log asks it about open
// websockets (ErrNotAuthenticated, ErrTokenNotRecognised or ErrNotMember when not).
func (s *Service) StillAllowed(ctx context.Context, sessionID, tokenID, userID, teamID string) error {
	if sessionID != "" {
		if _, err := s.store.Session(ctx, sessionID); errors.Is(err, store.ErrNotFound) {
			return ErrNotAuthenticated
		} else if err != nil {
			return err
		}
	}
	if tokenID != "" {
		if ok, err := s.store.APITokenActive(ctx, tokenID); err != nil {
			return err
		} else if !ok {
			return ErrTokenNotRecognised
		}
	}
	if teamID != "" {
		if _, err := s.store.Member(ctx, teamID, userID); errors.Is(err, store.ErrNotFound) {
			return ErrNotMember
		} else if err != nil {
			return err
		}
	}
	return nil
}

// SwitchTeam makes another of the user's teams the session's current one.
func (s *Service) SwitchTeam(ctx context.Context, p *Principal, team string) error {
	m, err := s.store.Member(ctx, team, p.User.ID)
	if err != nil {
		return err
	}
	p.TeamID, p.Role = m.TeamID, m.Role
	return s.store.SetSessionTeam(ctx, p.Session.ID, team)
}

// CreateInvitation returns a new invitation token to the team with a role.
func (s *Service) CreateInvitation(ctx context.Context, teamID, by, role string) (string, *store.Invitation, error) {
	if store.RoleRank(role) == 0 {
		return "", nil, invalid("role", "auth.role_invalid", "the role must be viewer, editor or owner")
	}
	token, hash := newSecret(prefixInvitation)
	inv := &store.Invitation{TeamID: teamID, Role: role, Hash: hash, CreatedBy: by, ExpiresAt: time.Now().UTC().Add(InvitationTTL)}
	if err := s.store.CreateInvitation(ctx, inv); err != nil {
		return "", nil, err
	}
	return token, inv, nil
}

// Invitation returns an open invitation and its team.
func (s *Service) Invitation(ctx context.Context, token string) (*store.Invitation, *store.Team, error) {
	inv, err := s.store.Invitation(ctx, HashToken(token))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, ErrInvitationInvalid
		}
		return nil, nil, err
	}
	t, err := s.store.Team(ctx, inv.TeamID)
	if err != nil {
		return nil, nil, err
	}
	return inv, t, nil
}

// AcceptInvitation lets a signed-in user join the invitation's team.
func (s *Service) AcceptInvitation(ctx context.Context, token string, u *store.User) (*store.Invitation, error) {
	inv, err := s.store.AcceptInvitation(ctx, HashToken(token), u, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvitationInvalid
	}
	return inv, err
}

// CreateAPIToken returns a new API token of the user in the team.
func (s *Service) CreateAPIToken(ctx context.Context, teamID, userID, name string) (string, *store.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil, invalid("name", "auth.token_name_missing", "give the token a name, e.g. the script that will use it")
	}
	if len(name) > 200 {
		return "", nil, invalid("name", "auth.token_name_long", "the name must be at most 200 characters")
	}
	token, hash := newSecret(prefixAPI)
	t := &store.APIToken{TeamID: teamID, UserID: userID, Name: name, Hash: hash, Prefix: token[:10]}
	if err := s.store.CreateAPIToken(ctx, t); err != nil {
		return "", nil, err
	}
	return token, t, nil
}
