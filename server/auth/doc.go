// Package auth owns accounts: password hashing, signup of the first owner and of invited users,
// sign-in sessions, API tokens, invitations, team members, roles and the sign-in rate limit.
// It stores through server/store and knows nothing of HTTP (server/api turns it into routes,
// cookies and the CSRF check).
package auth
