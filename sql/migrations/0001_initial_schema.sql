-- mfo initial schema: users, roles, sessions, login throttling, audit log.
-- InnoDB, utf8mb4. Times are UTC (the application sets time_zone = '+00:00').
-- Applied by `mfo-db migrate`, which records it in schema_migrations; a DBA
-- may also apply it by hand with the mariadb client.

CREATE TABLE users (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    -- utf8mb4_unicode_ci compares case-insensitively, so the unique key
    -- refuses Admin@x.com next to admin@x.com.
    email           VARCHAR(254) NOT NULL COLLATE utf8mb4_unicode_ci,
    password_hash   VARCHAR(255) NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT FALSE,
    -- Flask-Security's fs_uniquifier: changing it ends every session of the user.
    fs_uniquifier   CHAR(43) NOT NULL,
    created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    last_login_at   DATETIME NULL,
    last_login_ip   VARCHAR(45) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_users_email (email),
    UNIQUE KEY uq_users_fs_uniquifier (fs_uniquifier)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE roles (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name            VARCHAR(80) NOT NULL COLLATE utf8mb4_bin,
    description     VARCHAR(255) NOT NULL DEFAULT '',
    -- Comma-separated permission names, sorted ("database,read,write"): read
    -- with the session in one row, so a permission check costs no query.
    permissions     VARCHAR(1024) NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_roles_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_roles (
    user_id         BIGINT UNSIGNED NOT NULL,
    role_id         BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (user_id, role_id),
    KEY ix_user_roles_role (role_id),
    CONSTRAINT fk_user_roles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_user_roles_role FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
    -- SHA-256 of the session token; the token itself is never stored.
    id                  BINARY(32) NOT NULL,
    user_id             BIGINT UNSIGNED NOT NULL,
    -- The user's fs_uniquifier when the session began: a changed one
    -- (password change, deactivation, revoke) makes the session invalid.
    user_uniquifier     CHAR(43) NOT NULL,
    csrf_secret         BINARY(32) NOT NULL,
    remember            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_seen_at        DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    idle_expires_at     DATETIME NOT NULL,
    absolute_expires_at DATETIME NOT NULL,
    user_agent          VARCHAR(255) NOT NULL DEFAULT '',
    ip_address          VARCHAR(45) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY ix_sessions_user (user_id, created_at),
    KEY ix_sessions_absolute_expiry (absolute_expires_at),
    KEY ix_sessions_idle_expiry (idle_expires_at),
    CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed logins per account key (SHA-256 of the normalised email, whether or
-- not the account exists, so throttling does not reveal which accounts exist).
CREATE TABLE login_throttle (
    account_key     BINARY(32) NOT NULL,
    failures        INT UNSIGNED NOT NULL DEFAULT 0,
    window_start    DATETIME NOT NULL,
    locked_until    DATETIME NULL,
    PRIMARY KEY (account_key),
    KEY ix_login_throttle_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_log (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    actor_user_id   BIGINT UNSIGNED NULL,
    -- 'web', 'cli:mfo-users', ...
    actor           VARCHAR(80) NOT NULL,
    action          VARCHAR(64) NOT NULL,
    target          VARCHAR(255) NOT NULL DEFAULT '',
    ip_address      VARCHAR(45) NOT NULL DEFAULT '',
    detail          VARCHAR(255) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY ix_audit_log_created (created_at),
    KEY ix_audit_log_actor (actor_user_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
