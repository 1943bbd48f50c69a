package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrTaken is returned when an email is already registered, or when the first owner of the
// instance was created by another request first.
var ErrTaken = errors.New("already taken")

// ErrLastOwner is returned when a change would leave a team without an owner.
var ErrLastOwner = errors.New("a team needs at least one owner")

// CountUsers says how many users the instance has (none: the first signup creates the owner).
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.Read(ctx).Model(&User{}).Count(&n).Error
	return n, err
}

// ownerClaim is the setting whose primary key lets only one request create the first owner, on
// SQLite and PostgreSQL alike.
const ownerClaim = "instance.owner_created"

// CreateOwner creates the first user of an empty instance with a new team they own. Flows,
// versions, events and runs stored before accounts existed (no team yet) become that team's.
func (s *Store) CreateOwner(ctx context.Context, u *User, t *Team) error {
	now := time.Now().UTC()
	u.CreatedAt, t.CreatedAt = now, now
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrTaken
		}
		if err := tx.Create(&Setting{Key: ownerClaim, Value: u.ID}).Error; err != nil {
			return ErrTaken // another first signup won
		}
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		if err := tx.Create(&Member{TeamID: t.ID, UserID: u.ID, Role: RoleOwner, CreatedAt: now}).Error; err != nil {
			return err
		}
		for _, m := range []any{&Flow{}, &FlowVersion{}, &Event{}, &Run{}} {
			if err := tx.Model(m).Where("team_id = ''").Update("team_id", t.ID).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateTeam creates a team owned by a user.
func (s *Store) CreateTeam(ctx context.Context, t *Team, ownerID string) error {
	now := time.Now().UTC()
	t.CreatedAt = now
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		return tx.Create(&Member{TeamID: t.ID, UserID: ownerID, Role: RoleOwner, CreatedAt: now}).Error
	})
}

// UserByEmail finds a user by (lower-cased) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	return first[User](ctx, s, "email", email)
}

// User returns one user.
func (s *Store) User(ctx context.Context, id string) (*User, error) {
	return first[User](ctx, s, "id", id)
}

// Team returns one team.
func (s *Store) Team(ctx context.Context, id string) (*Team, error) {
	return first[Team](ctx, s, "id", id)
}

// CreateSession stores a signed-in browser, and forgets the user's expired sessions (so the
// table does not grow with every sign-in).
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	sess.CreatedAt = time.Now().UTC()
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ? AND expires_at < ?", sess.UserID, sess.CreatedAt).Delete(&Session{}).Error; err != nil {
			return err
		}
		return tx.Create(sess).Error
	})
}

// Session returns an unexpired session by the hash of its token.
func (s *Store) Session(ctx context.Context, hash string) (*Session, error) {
	var sess Session
	if err := s.Read(ctx).First(&sess, "id = ? AND expires_at > ?", hash, time.Now().UTC()).Error; err != nil {
		return nil, notFound(err)
	}
	return &sess, nil
}

// SetSessionTeam switches the team a browser works in.
func (s *Store) SetSessionTeam(ctx context.Context, hash, teamID string) error {
	return s.Write(ctx).Model(&Session{}).Where("id = ?", hash).Update("team_id", teamID).Error
}

// DeleteSession signs a browser out.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.Write(ctx).Delete(&Session{}, "id = ?", hash).Error
}

// Member returns a user's membership of a team.
func (s *Store) Member(ctx context.Context, teamID, userID string) (*Member, error) {
	var m Member
	if err := s.Read(ctx).First(&m, "team_id = ? AND user_id = ?", teamID, userID).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// Membership is one team of a user.
type Membership struct {
	TeamID   string
	TeamName string
	Role     string
}

// Memberships lists the teams of a user, oldest membership first.
func (s *Store) Memberships(ctx context.Context, userID string) ([]Membership, error) {
	return membersJoined[Membership](s.Read(ctx), "members.team_id, teams.name AS team_name, members.role",
		"JOIN teams ON teams.id = members.team_id", "members.user_id = ?", userID)
}

// membersJoined lists rows of members joined with another table, oldest membership first.
func membersJoined[T any](db *gorm.DB, columns, join, where string, arg any) ([]T, error) {
	var out []T
	err := db.Table("members").Select(columns).Joins(join).Where(where, arg).Order("members.created_at").Scan(&out).Error
	return out, err
}

// MemberInfo is a member with their user's email and name.
type MemberInfo struct {
	UserID    string
	Email     string
	Name      string
	Role      string
	CreatedAt time.Time
}

// Members lists a team's members, oldest first.
func (s *Store) Members(ctx context.Context, teamID string) ([]MemberInfo, error) {
	return membersJoined[MemberInfo](s.Read(ctx), "members.user_id, users.email, users.name, members.role, members.created_at",
		"JOIN users ON users.id = members.user_id", "members.team_id = ?", teamID)
}

// ErrNotOwner is returned when the member making a change is no longer an owner of the team (another
// owner demoted or removed them a moment before).
var ErrNotOwner = errors.New("only an owner of the team can do this")

// SetMemberRole changes a member's role on behalf of owner by ("" skips that check); the last
// owner cannot step down.
func (s *Store) SetMemberRole(ctx context.Context, teamID, by, userID, role string) error {
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if err := keepAnOwner(tx, teamID, by, userID, role); err != nil {
			return err
		}
		return tx.Model(&Member{}).Where("team_id = ? AND user_id = ?", teamID, userID).Update("role", role).Error
	})
}

// RemoveMember takes a user out of a team on behalf of owner by ("" skips that check) and
// revokes their tokens there; the last owner stays.
func (s *Store) RemoveMember(ctx context.Context, teamID, by, userID string) error {
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if err := keepAnOwner(tx, teamID, by, userID, ""); err != nil {
			return err
		}
		if err := tx.Delete(&Member{}, "team_id = ? AND user_id = ?", teamID, userID).Error; err != nil {
			return err
		}
		// Their browsers stay signed in (they may have other teams) but leave this team.
		if err := tx.Model(&Session{}).Where("team_id = ? AND user_id = ?", teamID, userID).Update("team_id", "").Error; err != nil {
			return err
		}
		return tx.Model(&APIToken{}).Where("team_id = ? AND user_id = ? AND revoked_at IS NULL", teamID, userID).
			Update("revoked_at", time.Now().UTC()).Error
	})
}

// keepAnOwner checks, inside tx, that the change of userID to newRole ("" = removed) keeps the
// team an owner and that by (when set) is still an owner; ErrNotFound when userID is not a member.
//
// It first locks the team's row (SELECT … FOR UPDATE on PostgreSQL), so member changes of one
// team run one after the other: without it, two owners demoting each other at the same moment
// each count two owners under READ COMMITTED, both succeed, and the team has none. The reads
// below then see what the previous change committed. SQLite needs no lock: its single writer
// connection with BEGIN IMMEDIATE already runs write transactions one at a time (gorm's SQLite
// dialect leaves FOR UPDATE out).
func keepAnOwner(tx *gorm.DB, teamID, by, userID, newRole string) error {
	var team Team
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&team, "id = ?", teamID).Error; err != nil {
		return notFound(err)
	}
	if by != "" {
		var actor Member
		err := tx.First(&actor, "team_id = ? AND user_id = ?", teamID, by).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && actor.Role != RoleOwner) {
			return ErrNotOwner
		}
		if err != nil {
			return err
		}
	}
	var m Member
	if err := tx.First(&m, "team_id = ? AND user_id = ?", teamID, userID).Error; err != nil {
		return notFound(err)
	}
	if m.Role != RoleOwner || newRole == RoleOwner {
		return nil
	}
	var owners int64
	if err := tx.Model(&Member{}).Where("team_id = ? AND role = ?", teamID, RoleOwner).Count(&owners).Error; err != nil {
		return err
	}
	if owners <= 1 {
		return ErrLastOwner
	}
	return nil
}

// CreateInvitation stores an invitation link.
func (s *Store) CreateInvitation(ctx context.Context, inv *Invitation) error {
	inv.ID, inv.CreatedAt = NewID(), time.Now().UTC()
	return s.Write(ctx).Create(inv).Error
}

// Invitation returns an open (unaccepted, unexpired) invitation by the hash of its token.
func (s *Store) Invitation(ctx context.Context, hash string) (*Invitation, error) {
	var inv Invitation
	err := s.Read(ctx).First(&inv, "hash = ? AND accepted_at IS NULL AND expires_at > ?", hash, time.Now().UTC()).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &inv, nil
}

// Invitations lists a team's open invitations, newest first.
func (s *Store) Invitations(ctx context.Context, teamID string) ([]Invitation, error) {
	var out []Invitation
	err := s.Read(ctx).Where("team_id = ? AND accepted_at IS NULL AND expires_at > ?", teamID, time.Now().UTC()).
		Order("created_at desc").Find(&out).Error
	return out, err
}

// DeleteInvitation withdraws an invitation of the team.
func (s *Store) DeleteInvitation(ctx context.Context, teamID, id string) error {
	res := s.Write(ctx).Delete(&Invitation{}, "team_id = ? AND id = ?", teamID, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// AcceptInvitation uses an invitation once: the user (created here when newUser is set) joins
// the team. A user already in the team keeps the higher of the two roles.
func (s *Store) AcceptInvitation(ctx context.Context, hash string, u *User, newUser bool) (*Invitation, error) {
	var inv Invitation
	now := time.Now().UTC()
	err := s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&inv, "hash = ? AND accepted_at IS NULL AND expires_at > ?", hash, now).Error; err != nil {
			return notFound(err)
		}
		res := tx.Model(&Invitation{}).Where("id = ? AND accepted_at IS NULL", inv.ID).
			Updates(map[string]any{"accepted_at": now, "accepted_by": u.ID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound // used by another request a moment ago
		}
		if newUser {
			u.CreatedAt = now
			if err := tx.Create(u).Error; err != nil {
				return ErrTaken
			}
		}
		var m Member
		err := tx.First(&m, "team_id = ? AND user_id = ?", inv.TeamID, u.ID).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			return tx.Create(&Member{TeamID: inv.TeamID, UserID: u.ID, Role: inv.Role, CreatedAt: now}).Error
		case err != nil:
			return err
		case RoleRank(inv.Role) > RoleRank(m.Role):
			return tx.Model(&Member{}).Where("team_id = ? AND user_id = ?", inv.TeamID, u.ID).Update("role", inv.Role).Error
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// RoleRank orders roles: viewer 1, editor 2, owner 3, anything else 0.
func RoleRank(role string) int {
	switch role {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleOwner:
		return 3
	}
	return 0
}

// CreateAPIToken stores a token (its hash).
func (s *Store) CreateAPIToken(ctx context.Context, t *APIToken) error {
	t.ID, t.CreatedAt = NewID(), time.Now().UTC()
	return s.Write(ctx).Create(t).Error
}

// APIToken returns an unrevoked token by its hash. It is read from the database on every request
// (no cache), so a revoked token stops working at once.
func (s *Store) APIToken(ctx context.Context, hash string) (*APIToken, error) {
	var t APIToken
	if err := s.Read(ctx).First(&t, "hash = ? AND revoked_at IS NULL", hash).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// APITokenActive reports whether the token with this id exists and is not revoked.
func (s *Store) APITokenActive(ctx context.Context, id string) (bool, error) {
	var n int64
	err := s.Read(ctx).Model(&APIToken{}).Where("id = ? AND revoked_at IS NULL", id).Count(&n).Error
	return n > 0, err
}

// APITokens lists a team's unrevoked tokens (of one user when userID is set), newest first.
func (s *Store) APITokens(ctx context.Context, teamID, userID string) ([]APIToken, error) {
	q := s.Read(ctx).Where("team_id = ? AND revoked_at IS NULL", teamID)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	var out []APIToken
	err := q.Order("created_at desc").Find(&out).Error
	return out, err
}

// RevokeAPIToken revokes a team's token (of one user when userID is set).
func (s *Store) RevokeAPIToken(ctx context.Context, teamID, userID, id string) error {
	q := s.Write(ctx).Model(&APIToken{}).Where("team_id = ? AND id = ? AND revoked_at IS NULL", teamID, id)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	res := q.Update("revoked_at", time.Now().UTC())
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// AddAudit records one entry of the audit log.
func (s *Store) AddAudit(ctx context.Context, e *AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	return s.Write(ctx).Create(e).Error
}

// Audit lists a team's audit log, newest first.
func (s *Store) Audit(ctx context.Context, teamID string, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var out []AuditEntry
	err := s.Read(ctx).Where("team_id = ?", teamID).Order("at desc, id desc").Limit(limit).Find(&out).Error
	return out, err
}

// FlowTeam returns the team of a flow (ErrNotFound when there is no such flow).
func (s *Store) FlowTeam(ctx context.Context, id string) (string, error) {
	return s.teamOf(ctx, &Flow{}, id)
}

// RunTeam returns the team of a run (ErrNotFound when there is no such run).
func (s *Store) RunTeam(ctx context.Context, id string) (string, error) {
	return s.teamOf(ctx, &Run{}, id)
}

// teamOf returns the team_id of the row of model's table with the given id (ErrNotFound when
// there is none).
func (s *Store) teamOf(ctx context.Context, model any, id string) (string, error) {
	var teams []string
	if err := s.Read(ctx).Model(model).Where("id = ?", id).Limit(1).Pluck("team_id", &teams).Error; err != nil {
		return "", err
	}
	if len(teams) == 0 {
		return "", ErrNotFound
	}
	return teams[0], nil
}
