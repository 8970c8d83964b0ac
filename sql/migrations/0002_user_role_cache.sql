-- mfo schema 0002: each user's role names and permissions, kept on the user
-- row, so that resolving a session is one primary-key join of two tables
-- (sessions, users) instead of four with a GROUP BY: the query every
-- logged-in request runs, halving the database's CPU per request.
--
-- user_roles and roles stay the source of truth. core/user_store.cpp
-- rewrites these two columns in the same transaction as every change to a
-- user's roles or a role's permissions (mfo-roles, mfo-users, the admin
-- console, mfo-db seed), and `mfo-db seed` rebuilds them for every user. If
-- you change user_roles or roles by hand in SQL, run `mfo-db seed` afterwards
-- (see README, "Roles and permissions").
--
-- Sorted, comma-separated: "Admin,User"; permissions are the roles' lists
-- joined in role order (the reader de-duplicates them).
ALTER TABLE users
    ADD COLUMN role_names VARCHAR(4096) NOT NULL DEFAULT '' COLLATE utf8mb4_bin,
    ADD COLUMN role_permissions VARCHAR(8192) NOT NULL DEFAULT '' COLLATE utf8mb4_bin;

UPDATE users u
SET u.role_names = COALESCE((SELECT GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ',')
                             FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                             WHERE ur.user_id = u.id), ''),
    u.role_permissions = COALESCE((SELECT GROUP_CONCAT(r.permissions ORDER BY r.name SEPARATOR ',')
                                   FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                                   WHERE ur.user_id = u.id AND r.permissions <> ''), ''),
    u.updated_at = u.updated_at;
