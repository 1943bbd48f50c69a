import type { Role } from '../authApi';

/** The roles in the order the team page offers them. */
export const roles: Role[] = ['viewer', 'editor', 'owner'];
