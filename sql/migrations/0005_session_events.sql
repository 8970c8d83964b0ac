-- mfo schema 0005: the revocation feed of the pools' session caches.
--
-- Each pool worker keeps the sessions it has validated in memory and asks
-- the database only on a miss ([security] session_cache). Everything that
-- ends a session or changes what its user may do writes a row here in the
-- same transaction; every worker reads the new rows every
-- session_cache_poll_ms and evicts what they name (fcgi-app/auth/).
--
-- The rows are written by triggers, not by the code paths that make the
-- changes, so that nothing is forgotten: the tools, the console, the
-- importer, and an operator's hand-written SQL all go through them. (A
-- cascade from a deleted user does not fire triggers: users has its own
-- delete trigger. TRUNCATE fires none: use `mfo-users revoke-sessions`.)
--
-- kind: 'session' (session_id is gone or shortened), 'user' (every session
-- of user_id), 'all' (the whole cache: written last by long transactions
-- such as the importer and `mfo-db seed`, whose trigger rows may commit
-- after the pollers stopped waiting for them).
--
-- Pruned with the expired sessions (mfo-db purge-sessions).
CREATE TABLE session_events (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    kind       ENUM('session', 'user', 'all') NOT NULL,
    session_id BINARY(32) NULL,
    user_id    BIGINT UNSIGNED NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_session_events_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Deleting a live session (logout, login rotation, revoke, password change,
-- deactivation). Expired rows removed by the purge need no event: the
-- caches check the expiry times themselves.
CREATE TRIGGER tr_sessions_revoked AFTER DELETE ON sessions FOR EACH ROW
    INSERT INTO session_events (kind, session_id, user_id)
    SELECT 'session', OLD.id, OLD.user_id FROM DUAL
    WHERE OLD.idle_expires_at > NOW() AND OLD.absolute_expires_at > NOW();

-- A session shortened or re-pointed, or its last_seen_at moved back (by
-- hand: the caches would not write it when due). The once-a-minute
-- last_seen_at write only moves both forward and writes no event.
CREATE TRIGGER tr_sessions_changed AFTER UPDATE ON sessions FOR EACH ROW
    INSERT INTO session_events (kind, session_id, user_id)
    SELECT 'session', OLD.id, OLD.user_id FROM DUAL
    WHERE NEW.idle_expires_at < OLD.idle_expires_at
       OR NEW.absolute_expires_at < OLD.absolute_expires_at
       OR NOT (NEW.id <=> OLD.id) OR NOT (NEW.user_id <=> OLD.user_id)
       OR NOT (NEW.user_uniquifier <=> OLD.user_uniquifier)
       OR NOT (NEW.csrf_secret <=> OLD.csrf_secret) OR NOT (NEW.remember <=> OLD.remember)
       OR NEW.last_seen_at < OLD.last_seen_at;

-- What a cached session holds of its user: active, fs_uniquifier, email,
-- roles and permissions (the role copy of migration 0002, rewritten with
-- every change to user_roles or roles).
CREATE TRIGGER tr_users_changed AFTER UPDATE ON users FOR EACH ROW
    INSERT INTO session_events (kind, user_id)
    SELECT 'user', OLD.id FROM DUAL
    WHERE NOT (NEW.active <=> OLD.active)
       OR NOT (NEW.fs_uniquifier <=> OLD.fs_uniquifier)
       OR NOT (BINARY NEW.email <=> BINARY OLD.email)
       OR NOT (NEW.role_names <=> OLD.role_names)
       OR NOT (NEW.role_permissions <=> OLD.role_permissions)
       OR NOT (NEW.id <=> OLD.id);

CREATE TRIGGER tr_users_deleted AFTER DELETE ON users FOR EACH ROW
    INSERT INTO session_events (kind, user_id) VALUES ('user', OLD.id);
