package store

import "time"

// Roles of a team member, from least to most allowed.
const (
	RoleViewer = "viewer"
	RoleEditor = "editor"
	RoleOwner  = "owner"
)

// User is a person who signs in.
type User struct {
	ID           string `gorm:"primaryKey;size:40"`
	Email        string `gorm:"size:320;uniqueIndex"` // lower-cased
	Name         string `gorm:"size:200"`
	PasswordHash string `gorm:"size:200"`
	CreatedAt    time.Time
}

// Team is a workspace: flows, runs and members belong to one.
type Team struct {
	ID        string `gorm:"primaryKey;size:40"`
	Name      string `gorm:"size:200"`
	CreatedAt time.Time
}

// Member is a user's place in a team.
type Member struct {
	TeamID    string `gorm:"primaryKey;size:40"`
	UserID    string `gorm:"primaryKey;size:40;index"`
	Role      string `gorm:"size:16"`
	CreatedAt time.Time
}

// Session is a signed-in browser. ID is the SHA-256 of the cookie's token: a stolen database does
// not let anyone sign in.
type Session struct {
	ID        string `gorm:"primaryKey;size:64"`
	UserID    string `gorm:"size:40;index"`
	TeamID    string `gorm:"size:40"` // the team the browser works in
	CSRF      string `gorm:"size:64"` // the value unsafe requests must repeat in X-CSRF-Token
	ExpiresAt time.Time
	CreatedAt time.Time
}

// APIToken is a Bearer token for scripts, bound to one team; its rights are its user's current
// role there. Only the SHA-256 of the token is stored.
type APIToken struct {
	ID         string `gorm:"primaryKey;size:40"`
	TeamID     string `gorm:"size:40;index"`
	UserID     string `gorm:"size:40"`
	Name       string `gorm:"size:200"`
	Hash       string `gorm:"size:64;uniqueIndex"`
	Prefix     string `gorm:"size:16"` // the first characters, to recognise a token in the list
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Invitation is a link that lets one person join a team with a role. Only the SHA-256 of its
// token is stored.
type Invitation struct {
	ID         string `gorm:"primaryKey;size:40"`
	TeamID     string `gorm:"size:40;index"`
	Role       string `gorm:"size:16"`
	Hash       string `gorm:"size:64;uniqueIndex"`
	CreatedBy  string `gorm:"size:40"`
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	AcceptedBy string `gorm:"size:40"`
	CreatedAt  time.Time
}

// AuditEntry records who changed, started, stopped or deleted what, and member changes.
type AuditEntry struct {
	ID         uint      `gorm:"primaryKey"`
	TeamID     string    `gorm:"size:40;index:idx_audit_team,priority:1"`
	UserID     string    `gorm:"size:40"`
	Email      string    `gorm:"size:320"` // kept: the user may be removed later
	Action     string    `gorm:"size:40"`  // flow.update, flow.start, member.role, …
	ObjectType string    `gorm:"size:20"`
	ObjectID   string    `gorm:"size:40"`
	Detail     string    `gorm:"type:text"`
	At         time.Time `gorm:"index:idx_audit_team,priority:2"`
}

// TeamTemplate is a flow a team saved as a template: its document carries the "template"
// description and declares as inputs the values chosen when it was saved (secrets always).
type TeamTemplate struct {
	ID        string `gorm:"primaryKey;size:40"`
	TeamID    string `gorm:"size:40;index"`
	Name      string `gorm:"size:300"`
	Document  string `gorm:"type:text"`
	CreatedBy string `gorm:"size:40"`
	CreatedAt time.Time
}
