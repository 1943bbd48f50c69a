package core

import (
	"context"

	"github.com/hookflow/hookflow/server/store"
)

type teamKey struct{}

// WithTeam marks ctx as working in a team: flows created under it belong to that team, and
// lists show only that team's flows. The API sets it from the signed-in user's current team.
func WithTeam(ctx context.Context, teamID string) context.Context {
	return context.WithValue(ctx, teamKey{}, teamID)
}

// TeamOf is the team ctx works in ("" outside a request: the command line, tests of the core).
func TeamOf(ctx context.Context) string {
	s, _ := ctx.Value(teamKey{}).(string)
	return s
}

// Teams is who works in which team and what they did there: members and their roles,
// invitations, the teams a user belongs to, API tokens, the audit log, the team's templates and
// which team owns a flow or run. Signing up and in, sessions and new invitations and tokens are
// the accounts service's (App.Accounts). App.Teams hands it out.
type Teams struct {
	store *store.Store
}

// Members lists a team's members with their accounts.
func (t *Teams) Members(ctx context.Context, teamID string) ([]store.MemberInfo, error) {
	return t.store.Members(ctx, teamID)
}

// Member is one user's membership of a team (store.ErrNotFound when not a member).
func (t *Teams) Member(ctx context.Context, teamID, userID string) (*store.Member, error) {
	return t.store.Member(ctx, teamID, userID)
}

// SetMemberRole changes a member's role; by is the owner asking. The last owner cannot step down
// (store.ErrLastOwner), and only an owner changes roles (store.ErrNotOwner).
func (t *Teams) SetMemberRole(ctx context.Context, teamID, by, userID, role string) error {
	return t.store.SetMemberRole(ctx, teamID, by, userID, role)
}

// RemoveMember takes a member out of the team, with the same rules as SetMemberRole.
func (t *Teams) RemoveMember(ctx context.Context, teamID, by, userID string) error {
	return t.store.RemoveMember(ctx, teamID, by, userID)
}

// Invitations lists a team's open invitations.
func (t *Teams) Invitations(ctx context.Context, teamID string) ([]store.Invitation, error) {
	return t.store.Invitations(ctx, teamID)
}

// DeleteInvitation withdraws an invitation of the team.
func (t *Teams) DeleteInvitation(ctx context.Context, teamID, id string) error {
	return t.store.DeleteInvitation(ctx, teamID, id)
}

// Memberships lists the teams a user belongs to, with the role in each, oldest first.
func (t *Teams) Memberships(ctx context.Context, userID string) ([]store.Membership, error) {
	return t.store.Memberships(ctx, userID)
}

// CreateTeam stores a new team owned by ownerID.
func (t *Teams) CreateTeam(ctx context.Context, team *store.Team, ownerID string) error {
	return t.store.CreateTeam(ctx, team, ownerID)
}

// SetSessionTeam makes a session work in another team (the session's stored hash).
func (t *Teams) SetSessionTeam(ctx context.Context, sessionID, teamID string) error {
	return t.store.SetSessionTeam(ctx, sessionID, teamID)
}

// APITokens lists a user's own API tokens in a team, without their secrets.
func (t *Teams) APITokens(ctx context.Context, teamID, userID string) ([]store.APIToken, error) {
	return t.store.APITokens(ctx, teamID, userID)
}

// RevokeAPIToken revokes one of a user's tokens; it stops working with the next request.
func (t *Teams) RevokeAPIToken(ctx context.Context, teamID, userID, id string) error {
	return t.store.RevokeAPIToken(ctx, teamID, userID, id)
}

// Record adds an entry to the team's audit log.
func (t *Teams) Record(ctx context.Context, e *store.AuditEntry) error {
	return t.store.AddAudit(ctx, e)
}

// Audit lists the team's audit log, newest first (limit ≤ 0: the store's default).
func (t *Teams) Audit(ctx context.Context, teamID string, limit int) ([]store.AuditEntry, error) {
	return t.store.Audit(ctx, teamID, limit)
}

// Templates lists the team's templates, newest first.
func (t *Teams) Templates(ctx context.Context, teamID string) ([]store.TeamTemplate, error) {
	return t.store.TeamTemplates(ctx, teamID)
}

// Template is one of the team's templates (store.ErrNotFound for another team's).
func (t *Teams) Template(ctx context.Context, teamID, id string) (*store.TeamTemplate, error) {
	return t.store.TeamTemplate(ctx, teamID, id)
}

// DeleteTemplate deletes one of the team's templates.
func (t *Teams) DeleteTemplate(ctx context.Context, teamID, id string) error {
	return t.store.DeleteTeamTemplate(ctx, teamID, id)
}

// FlowTeam is the team that owns a flow (store.ErrNotFound when there is no such flow).
func (t *Teams) FlowTeam(ctx context.Context, flowID string) (string, error) {
	return t.store.FlowTeam(ctx, flowID)
}

// RunTeam is the team that owns a run's flow (store.ErrNotFound when there is no such run).
func (t *Teams) RunTeam(ctx context.Context, runID string) (string, error) {
	return t.store.RunTeam(ctx, runID)
}
