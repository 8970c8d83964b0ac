-- mfo schema 0004: what the admin console needs to stay fast at festival
-- scale (100,000 users, a million sessions): no console page reads a number
-- of rows that grows with the tables.
--
-- 1. The overview's counts (users, active users, members of each role) are
--    kept by triggers, in the same transaction as the change that moves
--    them, whoever makes it (the worker, the admin tools, an import, SQL by
--    hand). Reading them is a primary-key lookup instead of a count over
--    every row. Each trigger is one statement (no BEGIN ... END), so the
--    migration splitter needs no DELIMITER.
--
--    Foreign-key cascades do not fire triggers (MariaDB), so deleting a user
--    takes its role memberships off the counts before the row goes (the
--    BEFORE DELETE triggers), and a role's counter row goes with the role
--    (ON DELETE CASCADE). TRUNCATE fires no trigger either: after emptying
--    or bulk-loading users or user_roles with triggers bypassed, recount
--    with the two statements under "Recount" at the end of this file.
--
--    Creating triggers needs the TRIGGER privilege (the admin account of
--    README "Deployment" has ALL on the database) and, on a server with the
--    binary log on, SUPER or log_bin_trust_function_creators = 1.
--
-- 2. The security events of one account (the admin console's user page):
--    an index on the target, so the newest 20 are read from its end.
--
-- Updated on every login (last_login_at): the UPDATE trigger's WHERE does
-- not depend on the counter row, so when `active` is unchanged MariaDB
-- reads and locks nothing.

CREATE TABLE user_counts (
    id              TINYINT UNSIGNED NOT NULL,
    users           BIGINT NOT NULL DEFAULT 0,
    active_users    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    CONSTRAINT ck_user_counts_one_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE role_member_counts (
    role_id         BIGINT UNSIGNED NOT NULL,
    members         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (role_id),
    CONSTRAINT fk_role_member_counts_role FOREIGN KEY (role_id) REFERENCES roles (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO user_counts (id) VALUES (1);

CREATE TRIGGER tr_users_count_insert AFTER INSERT ON users FOR EACH ROW
    UPDATE user_counts SET users = users + 1, active_users = active_users + NEW.active
    WHERE id = 1;

CREATE TRIGGER tr_users_count_active AFTER UPDATE ON users FOR EACH ROW
    UPDATE user_counts SET active_users = active_users + NEW.active - OLD.active
    WHERE id = 1 AND NEW.active <> OLD.active;

CREATE TRIGGER tr_users_count_delete BEFORE DELETE ON users FOR EACH ROW
    UPDATE user_counts SET users = users - 1, active_users = active_users - OLD.active
    WHERE id = 1;

CREATE TRIGGER tr_users_count_delete_roles BEFORE DELETE ON users FOR EACH ROW
    FOLLOWS tr_users_count_delete
    UPDATE role_member_counts SET members = members - 1
    WHERE role_id IN (SELECT ur.role_id FROM user_roles ur WHERE ur.user_id = OLD.id);

CREATE TRIGGER tr_user_roles_count_insert AFTER INSERT ON user_roles FOR EACH ROW
    INSERT INTO role_member_counts (role_id, members) VALUES (NEW.role_id, 1)
    ON DUPLICATE KEY UPDATE members = members + 1;

CREATE TRIGGER tr_user_roles_count_delete AFTER DELETE ON user_roles FOR EACH ROW
    UPDATE role_member_counts SET members = members - 1 WHERE role_id = OLD.role_id;

CREATE TRIGGER tr_user_roles_count_update AFTER UPDATE ON user_roles FOR EACH ROW
    INSERT INTO role_member_counts (role_id, members)
    VALUES (NEW.role_id, 1), (OLD.role_id, -1)
    ON DUPLICATE KEY UPDATE members = members + VALUES(members);

-- Recount (also the first count, for the rows already there):
UPDATE user_counts SET users = (SELECT COUNT(*) FROM users),
    active_users = (SELECT COALESCE(SUM(active), 0) FROM users) WHERE id = 1;
INSERT INTO role_member_counts (role_id, members)
    SELECT r.id, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id) FROM roles r
    ON DUPLICATE KEY UPDATE members = VALUES(members);

ALTER TABLE audit_log ADD KEY ix_audit_log_target (target);
