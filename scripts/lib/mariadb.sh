# shellcheck shell=bash
# A private MariaDB server for the dev and test stacks (sourced, not run):
# its own datadir, a unix socket only (no TCP), run as the invoking OS user.
#
# mariadb-install-db --auth-root-authentication-method=socket --user=U creates
# root@localhost and U@localhost, both superusers authenticated by the
# unix_socket plugin (U is root when run as root). So the OS user that ran
# the init is MariaDB's superuser over the socket; only
# mfo_mariadb_bootstrap_accounts uses it.

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# mfo_mariadb_pidfile SOCKET: our record of the mariadbd we started.
mfo_mariadb_pidfile() { printf '%s/stack.mariadbd.pid\n' "$(dirname "$1")"; }

# mfo_mariadb_init DATADIR: create the system tables once (when DATADIR/mysql
# is absent). Initialises into DATADIR.init and renames, so an interrupted
# init leaves no half-made datadir behind.
mfo_mariadb_init() {
    local datadir=$1 tmp log
    if [[ -d "$datadir/mysql" ]]; then
        return 0
    fi
    if [[ -d "$datadir" ]] && [[ -n "$(ls -A "$datadir" 2>/dev/null)" ]]; then
        mfo_die "$datadir exists without a mysql/ system schema: not a datadir mfo made; move it away"
    fi
    command -v mariadb-install-db >/dev/null 2>&1 \
        || mfo_die "mariadb-install-db not found (package mariadb-server)"
    tmp="${datadir%/}.init"
    log="${datadir%/}.init.log"
    rm -rf "$tmp"
    mkdir -p "$(dirname "$datadir")"
    mfo_log "initialising MariaDB datadir $datadir"
    # --force --skip-name-resolve: no host name lookups (they fail on a
    # machine whose /etc/hosts lacks localhost); the accounts are created for
    # 'localhost', which is what unix-socket clients are.
    if ! mariadb-install-db --no-defaults --datadir="$tmp" \
        --force --skip-name-resolve \
        --auth-root-authentication-method=socket --skip-test-db \
        --user="$(id -un)" >"$log" 2>&1; then
        mfo_tail_log "$log"
        rm -rf "$tmp"
        mfo_die "mariadb-install-db failed"
    fi
    rmdir "$datadir" 2>/dev/null || true
    mv "$tmp" "$datadir"
    rm -f "$log"
}

_mfo_mariadb_ping() {
    mariadb-admin --no-defaults --protocol=socket --socket="$1" \
        --user="$(id -un)" --connect-timeout=2 ping >/dev/null 2>&1
}

# _mfo_mariadb_ready SOCKET PID: true once the server answers, or once PID
# is gone (the caller tells the two apart).
_mfo_mariadb_ready() {
    local socket=$1 pid=$2
    mfo_pid_running "$pid" || return 0
    [[ -S "$socket" ]] && _mfo_mariadb_ping "$socket"
}

# mfo_mariadb_start DATADIR SOCKET LOGFILE [MARIADBD_ARGS...]: start mariadbd
# in the background (own session, pid recorded beside the socket), wait up to
# 60 s for the socket and a successful ping. Extra args go last (they win).
mfo_mariadb_start() {
    local datadir=$1 socket=$2 logfile=$3
    shift 3
    local rundir pidfile
    rundir=$(dirname "$socket")
    pidfile=$(mfo_mariadb_pidfile "$socket")
    mkdir -p "$rundir" "$(dirname "$logfile")"
    mfo_check_socket_path "$socket"
    command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] \
        || mfo_die "mariadbd not found (package mariadb-server)"
    if mfo_pidfile_alive "$pidfile" mariadbd; then
        mfo_error "mariadbd already running (pid $(head -n1 "$pidfile")) on $socket"
        return 1
    fi
    if [[ -S "$socket" ]]; then
        if _mfo_mariadb_ping "$socket"; then
            mfo_error "a MariaDB server not started by these scripts answers on $socket"
            return 1
        fi
        rm -f "$socket"
    fi
    local mariadbd
    mariadbd=$(command -v mariadbd 2>/dev/null || printf '/usr/sbin/mariadbd')
    mfo_log "starting mariadbd (datadir $datadir, socket $socket)"
    # pool-of-threads: with a thread per connection, the pool's 16 connections
    # and as many server threads fight over the cores; the thread pool served
    # the session lookup with 25% less server CPU and 15-25% more GET /
    # requests/s here (scripts/bench; see README, Performance).
    mfo_spawn "$pidfile" "$logfile" "$mariadbd" --no-defaults \
        --datadir="$datadir" \
        --socket="$socket" \
        --skip-networking \
        --pid-file="$rundir/mariadb.pid" \
        --log-error="$logfile" \
        --user="$(id -un)" \
        --innodb-buffer-pool-size=128M \
        --innodb-log-file-size=48M \
        --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_unicode_ci \
        --sql-mode=STRICT_TRANS_TABLES,STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION \
        --skip-name-resolve \
        --max-connections=200 \
        --thread-handling=pool-of-threads \
        "$@"
    local pid=$MFO_SPAWNED_PID rc=0
    mfo_poll 60 _mfo_mariadb_ready "$socket" "$pid" || rc=$?
    if (( rc != 0 )) || ! mfo_pid_running "$pid"; then
        if mfo_pid_running "$pid"; then
            mfo_error "mariadbd (pid $pid) did not answer on $socket within 60s"
        else
            mfo_error "mariadbd exited during start-up"
        fi
        mfo_tail_log "$logfile"
        mfo_stop_pidfile mariadbd "$pidfile" 30 || true
        return 1
    fi
    mfo_log "mariadbd ready (pid $pid)"
}

# mfo_mariadb_stop SOCKET [TIMEOUT_S]: stop the mariadbd started for SOCKET.
mfo_mariadb_stop() {
    local socket=$1 timeout=${2:-60}
    mfo_stop_pidfile mariadbd "$(mfo_mariadb_pidfile "$socket")" "$timeout"
}

# mfo_mariadb_superuser SOCKET [ARGS...]: the mariadb client as the socket-
# authenticated superuser (the OS user that initialised the datadir).
mfo_mariadb_superuser() {
    local socket=$1
    shift
    mariadb --no-defaults --protocol=socket --socket="$socket" \
        --user="$(id -un)" --batch --skip-column-names "$@"
}

_mfo_sql_string() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\'/\\\'}
    printf "'%s'" "$s"
}

_mfo_sql_ident_ok() { [[ "$1" =~ ^[A-Za-z0-9_]{1,64}$ ]]; }

# mfo_mariadb_bootstrap_accounts SOCKET DBNAME SECRETS_DIR: create the
# database and the two accounts (idempotent), with passwords kept in
# SECRETS_DIR/db_app_password and db_admin_password (made on first run), and
# SECRETS_DIR/secret_key for the app. Account names follow the app's
# overrides MFO_DATABASE_USER / MFO_DATABASE_ADMIN_USER (default mfo_app,
# mfo_admin).
mfo_mariadb_bootstrap_accounts() {
    local socket=$1 dbname=$2 secrets=$3
    local app_user=${MFO_DATABASE_USER:-mfo_app}
    local admin_user=${MFO_DATABASE_ADMIN_USER:-mfo_admin}
    local name
    for name in "$dbname" "$app_user" "$admin_user"; do
        _mfo_sql_ident_ok "$name" || mfo_die "refusing database/user name '$name' (letters, digits, _ only)"
    done
    mkdir -p "$secrets"
    chmod 0700 "$secrets"
    mfo_random_secret_file "$secrets/db_app_password" hex
    mfo_random_secret_file "$secrets/db_admin_password" hex
    mfo_random_secret_file "$secrets/secret_key" base64
    local app_pw admin_pw
    app_pw=$(_mfo_sql_string "$(head -n1 "$secrets/db_app_password")")
    admin_pw=$(_mfo_sql_string "$(head -n1 "$secrets/db_admin_password")")
    mfo_log "creating database $dbname and accounts $app_user, $admin_user"
    # Passwords go through stdin, never the command line.
    mfo_mariadb_superuser "$socket" <<SQL || mfo_die "could not create the database accounts (as MariaDB superuser $(id -un) over $socket)"
CREATE DATABASE IF NOT EXISTS \`$dbname\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$app_user'@'localhost' IDENTIFIED BY $app_pw;
ALTER USER '$app_user'@'localhost' IDENTIFIED BY $app_pw;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$app_user'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$dbname\`.* TO '$app_user'@'localhost';
CREATE USER IF NOT EXISTS '$admin_user'@'localhost' IDENTIFIED BY $admin_pw;
ALTER USER '$admin_user'@'localhost' IDENTIFIED BY $admin_pw;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$admin_user'@'localhost';
GRANT ALL PRIVILEGES ON \`$dbname\`.* TO '$admin_user'@'localhost';
SQL
}
