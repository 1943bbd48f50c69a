package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/store"
)

// teamOfTwo signs up the instance's owner (who gets a team) and an editor invited to it.
func teamOfTwo(t *testing.T, app *core.App) (team string, owner, editor *store.User) {
	t.Helper()
	ctx := context.Background()
	owner, team, err := app.Accounts().Signup(ctx, "owner@example.com", "password of owner", "Owner", "", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := app.Accounts().CreateInvitation(ctx, team, owner.ID, store.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	editor, joined, err := app.Accounts().Signup(ctx, "editor@example.com", "password of editor", "Editor", token, "192.0.2.2")
	if err != nil || joined != team {
		t.Fatalf("the invited editor joined %q, %v; want team %q", joined, err, team)
	}
	return team, owner, editor
}

func TestTeams_MembersRolesAndTheLastOwner(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		ctx := context.Background()
		teams := app.Teams()
		team, owner, editor := teamOfTwo(t, app)

		roles := func() map[string]string {
			list, err := teams.Members(ctx, team)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, m := range list {
				out[m.Email] = m.Role
			}
			return out
		}
		if got := roles(); len(got) != 2 || got["owner@example.com"] != store.RoleOwner || got["editor@example.com"] != store.RoleEditor {
			t.Fatalf("members %v", got)
		}
		if err := teams.SetMemberRole(ctx, team, owner.ID, owner.ID, store.RoleViewer); !errors.Is(err, store.ErrLastOwner) {
			t.Errorf("the last owner stepping down: %v, want ErrLastOwner", err)
		}
		if err := teams.SetMemberRole(ctx, team, editor.ID, owner.ID, store.RoleViewer); !errors.Is(err, store.ErrNotOwner) {
			t.Errorf("an editor changing roles: %v, want ErrNotOwner", err)
		}
		if err := teams.SetMemberRole(ctx, team, owner.ID, editor.ID, store.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if m, err := teams.Member(ctx, team, editor.ID); err != nil || m.Role != store.RoleViewer {
			t.Errorf("after the change: %+v, %v; want a viewer", m, err)
		}
		if err := teams.RemoveMember(ctx, team, owner.ID, editor.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := teams.Member(ctx, team, editor.ID); !core.IsNotFound(err) {
			t.Errorf("a removed member: %v, want not found", err)
		}
		if got := roles(); len(got) != 1 {
			t.Errorf("members after the removal: %v", got)
		}
	})
}

func TestTeams_AUserSeesTheTeamsTheyBelongToOldestFirst(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		ctx := context.Background()
		team, owner, editor := teamOfTwo(t, app)
		second := &store.Team{ID: store.NewID(), Name: "Second"}
		if err := app.Teams().CreateTeam(ctx, second, editor.ID); err != nil {
			t.Fatal(err)
		}
		list, err := app.Teams().Memberships(ctx, editor.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].TeamID != team || list[0].Role != store.RoleEditor ||
			list[1].TeamID != second.ID || list[1].Role != store.RoleOwner || list[1].TeamName != "Second" {
			t.Errorf("memberships %+v", list)
		}
		if list, _ := app.Teams().Memberships(ctx, owner.ID); len(list) != 1 {
			t.Errorf("the owner is in %d teams, want 1", len(list))
		}
	})
}

func TestTeams_InvitationsTokensAndTheAuditLog(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		ctx := context.Background()
		teams := app.Teams()
		team, owner, _ := teamOfTwo(t, app)

		_, inv, err := app.Accounts().CreateInvitation(ctx, team, owner.ID, store.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		if list, err := teams.Invitations(ctx, team); err != nil || len(list) != 1 || list[0].ID != inv.ID {
			t.Fatalf("open invitations %+v, %v; want the new one (the accepted one is used up)", list, err)
		}
		if err := teams.DeleteInvitation(ctx, team, inv.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := teams.Invitations(ctx, team); len(list) != 0 {
			t.Errorf("invitations after withdrawing: %+v", list)
		}

		_, tok, err := app.Accounts().CreateAPIToken(ctx, team, owner.ID, "deploy script")
		if err != nil {
			t.Fatal(err)
		}
		if list, err := teams.APITokens(ctx, team, owner.ID); err != nil || len(list) != 1 || list[0].Name != "deploy script" {
			t.Fatalf("tokens %+v, %v", list, err)
		}
		if err := teams.RevokeAPIToken(ctx, team, owner.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := teams.APITokens(ctx, team, owner.ID); len(list) != 0 {
			t.Errorf("tokens after revoking: %+v", list)
		}

		for _, action := range []string{"token.create", "token.revoke"} {
			if err := teams.Record(ctx, &store.AuditEntry{TeamID: team, UserID: owner.ID, Email: owner.Email, Action: action, ObjectType: "token", ObjectID: tok.ID}); err != nil {
				t.Fatal(err)
			}
		}
		log, err := teams.Audit(ctx, team, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[0].Action != "token.revoke" || log[0].At.IsZero() {
			t.Errorf("audit log %+v, want the revocation first, timed", log)
		}
		if other, _ := teams.Audit(ctx, "another-team", 0); len(other) != 0 {
			t.Errorf("another team sees %d entries", len(other))
		}
	})
}

func TestTeams_WhichTeamOwnsAFlowOrARun(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		team, _, _ := teamOfTwo(t, app)
		ctx := core.WithTeam(context.Background(), team)
		f := createFlow(t, ctx, app, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`, false)
		run := &store.Run{ID: store.NewID(), TeamID: team, FlowID: f.ID, Status: "success", StartedAt: time.Now().UTC()}
		if err := core.StoreOf(app).CreateRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		if got, err := app.Teams().FlowTeam(ctx, f.ID); err != nil || got != team {
			t.Errorf("flow's team %q, %v; want %q", got, err, team)
		}
		if got, err := app.Teams().RunTeam(ctx, run.ID); err != nil || got != team {
			t.Errorf("run's team %q, %v; want %q", got, err, team)
		}
		if _, err := app.Teams().FlowTeam(ctx, "no-such-flow"); !core.IsNotFound(err) {
			t.Errorf("a missing flow: %v, want not found", err)
		}
		if _, err := app.Teams().RunTeam(ctx, "no-such-run"); !core.IsNotFound(err) {
			t.Errorf("a missing run: %v, want not found", err)
		}
	})
}

func TestTeams_ATeamSeesAndDeletesOnlyItsOwnTemplates(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		team, owner, _ := teamOfTwo(t, app)
		ctx := core.WithTeam(context.Background(), team)
		f := createFlow(t, ctx, app, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`, false)
		tpl, err := app.Flows().SaveAsTemplate(ctx, f.ID, core.TemplateRequest{Name: "Leads"}, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		teams := app.Teams()
		if list, err := teams.Templates(ctx, team); err != nil || len(list) != 1 || list[0].ID != tpl.ID {
			t.Fatalf("templates %+v, %v; want the saved one", list, err)
		}
		if got, err := teams.Template(ctx, team, tpl.ID); err != nil || got.Name != "Leads" {
			t.Errorf("template %+v, %v", got, err)
		}
		if _, err := teams.Template(ctx, "another-team", tpl.ID); !core.IsNotFound(err) {
			t.Errorf("another team's template: %v, want not found", err)
		}
		if err := teams.DeleteTemplate(ctx, "another-team", tpl.ID); !core.IsNotFound(err) {
			t.Errorf("deleting another team's template: %v, want not found", err)
		}
		if err := teams.DeleteTemplate(ctx, team, tpl.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := teams.Templates(ctx, team); len(list) != 0 {
			t.Errorf("templates after deleting: %+v", list)
		}
	})
}
