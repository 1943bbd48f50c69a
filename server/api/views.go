package api

import (
	"encoding/json"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/core"
)

// The account, team and token views the API answers with. The editor's types are generated from
// this file (make types, see tygo.yaml), so it holds only what goes on the wire.

// AuthState is GET /api/auth/state: whether the next signup creates the instance's first owner.
type AuthState struct {
	SignupOpen bool `json:"signup_open"`
}

// MeView is the signed-in user with their current team and role (GET /api/auth/me, and the answer
// to sign-in, signup, team switch and accepting an invitation). The editor's Role is written by
// hand beside store's Role… constants (TestRoleListsTheStoreRoles checks it lists exactly them).
//
//tygo:emit /** A member's role in a team: one of store's Role… constants. */
//tygo:emit export type Role = "viewer" | "editor" | "owner";
type MeView struct {
	User  UserView   `json:"user"`
	Team  string     `json:"team"` // "" when the user belongs to no team (any more)
	Role  string     `json:"role" tstype:"Role | ''"`
	Teams []TeamView `json:"teams"`
	// Token and CSRFToken are the session's, in the answer to sign-in and signup only (they are
	// also set as cookies).
	Token     string `json:"token,omitempty"`
	CSRFToken string `json:"csrf_token,omitempty"`
}

// UserView is who is signed in.
type UserView struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// TeamView is one of the user's teams, with their role in it.
type TeamView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role" tstype:"Role"`
}

// MemberView is a member of the current team.
type MemberView struct {
	UserID   string    `json:"user_id"`
	Email    string    `json:"email"`
	Name     string    `json:"name,omitempty"`
	Role     string    `json:"role" tstype:"Role"`
	JoinedAt time.Time `json:"joined_at"`
}

// InvitationView is an invitation to the current team.
type InvitationView struct {
	ID        string    `json:"id"`
	Role      string    `json:"role" tstype:"Role"`
	Token     string    `json:"token,omitempty"` // only when created: it is not stored
	URL       string    `json:"url,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

// TokenView is one of the caller's API tokens.
type TokenView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Token      string     `json:"token,omitempty"` // only when created: only its hash is stored
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// AuditView is one line of the team's audit log.
type AuditView struct {
	At         time.Time `json:"at"`
	UserID     string    `json:"user_id"`
	Email      string    `json:"email"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Detail     string    `json:"detail,omitempty"`
}

// VersionView is one saved version of a flow (GET /api/flows/{id}/versions).
type VersionView struct {
	Version   int    `json:"version"`
	CreatedAt string `json:"created_at"` // RFC3339 in UTC, whole seconds
}

// SamplesView is GET /api/flows/{id}/samples: the captured requests and the parameters learned
// from them.
type SamplesView struct {
	Fields  []core.LearnedField `json:"fields"`
	Samples []core.Sample       `json:"samples"`
}

// TestView is POST /api/flows/{id}/test: the test run and its trace.
type TestView struct {
	RunID string       `json:"run_id"`
	Trace *flows.Trace `json:"trace" tstype:"Trace,required"`
}

// FlowBody is what POST and PUT /api/flows take: either a bare flow document, or
// {"document": {...}, "input_values": {...}, "settings": {...}}. (Only read: omitempty says the
// editor may leave the members out.)
type FlowBody struct {
	Document    json.RawMessage    `json:"document" tstype:"FlowDocument"`
	InputValues map[string]string  `json:"input_values,omitempty"`
	Settings    *core.FlowSettings `json:"settings" tstype:"FlowSettings & { [key: string]: unknown }"`
}

// AcceptedView answers a retry or a replay: the webhook's run is queued.
type AcceptedView struct {
	EventID string `json:"event_id"`
	OK      bool   `json:"ok"`
}
