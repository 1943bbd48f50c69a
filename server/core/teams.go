package core

import "context"

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
