#!/usr/bin/env bash
# shellcheck shell=bash
# The dev/test stack: private MariaDB + mfo-fcgi pool + private nginx, all
# under one directory (var/ for scripts/run, build/test-stack/ for
# scripts/test). Sourced by the scripts; also runnable for tests that need to
# restart the pool or the database of the running test stack:
#
#   scripts/lib/stack.sh start-pool|stop-pool|restart-pool|reload-pool [ARGS]
#   scripts/lib/stack.sh stop-db|start-db|restart-db [MARIADBD_ARGS]
#
# Run that way it takes the stack from MFO_TEST_STACK_DIR, MFO_TEST_BIN_DIR
# and MFO_TEST_CONFIG (exported by scripts/test, as is MFO_TEST_STACK_SCRIPT,
# this file's path); extra ARGS go to mfo-fcgi after --config CONFIG.
# start-db and restart-db bring back the existing datadir (no init, accounts
# untouched) with the mariadbd options of the stack's last start unless
# MARIADBD_ARGS are given, and return once the server answers.
#
# Layout of a stack dir S:
#   S/mariadb/   datadir           S/run/   sockets, pid files, nginx/Apache config
#   S/log/       logs              S/secrets/  passwords, secret key (0700)
# Pid files of what these scripts started: S/run/stack.<name>.pid.

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=scripts/lib/mariadb.sh
source "$(dirname "${BASH_SOURCE[0]}")/mariadb.sh"

# mfo_stack_layout STACK_DIR BIN_DIR CONFIG: set the MFO_STACK_* variables
# (absolute paths) and create the directories.
mfo_stack_layout() {
    mkdir -p "$1"
    MFO_STACK_DIR=$(cd "$1" && pwd -P)
    MFO_STACK_BIN_DIR=$2
    MFO_STACK_CONFIG=$3
    MFO_STACK_DATADIR=$MFO_STACK_DIR/mariadb
    MFO_STACK_RUN_DIR=$MFO_STACK_DIR/run
    if _mfo_www_data_locked_out "$MFO_STACK_DIR"; then
        # Root with a checkout www-data cannot reach (e.g. under /root, mode
        # 0700): the sockets and front-server configs go to a directory of
        # their own that it can, so Apache (which refuses to run as root) and
        # nginx's workers reach the pool. S/run links to it.
        MFO_STACK_RUN_DIR=$(_mfo_public_run_dir "$MFO_STACK_DIR")
        mkdir -p "$MFO_STACK_RUN_DIR"
        chmod 0755 "$MFO_STACK_RUN_DIR"
        if [[ ! -e "$MFO_STACK_DIR/run" || -L "$MFO_STACK_DIR/run" ]]; then
            ln -sfn "$MFO_STACK_RUN_DIR" "$MFO_STACK_DIR/run"
        fi
    fi
    MFO_STACK_LOG_DIR=$MFO_STACK_DIR/log
    MFO_STACK_SECRETS_DIR=$MFO_STACK_DIR/secrets
    MFO_STACK_DB_SOCKET=$MFO_STACK_RUN_DIR/mariadb.sock
    MFO_STACK_FCGI_SOCKET=$MFO_STACK_RUN_DIR/mfo-fcgi.sock
    MFO_STACK_DB_NAME=${MFO_STACK_DB_NAME:-${MFO_DATABASE_NAME:-mfo}}
    mkdir -p "$MFO_STACK_RUN_DIR" "$MFO_STACK_LOG_DIR" "$MFO_STACK_SECRETS_DIR"
    chmod 0700 "$MFO_STACK_SECRETS_DIR"
    mfo_check_socket_path "$MFO_STACK_DB_SOCKET"
    mfo_check_socket_path "$MFO_STACK_FCGI_SOCKET"
}

# _mfo_www_data_locked_out DIR: true when we are root, www-data exists and
# cannot reach DIR (a parent directory it may not traverse).
_mfo_www_data_locked_out() {
    mfo_is_root || return 1
    id www-data >/dev/null 2>&1 || return 1
    command -v runuser >/dev/null 2>&1 || return 1
    ! runuser -u www-data -- test -x "$1" 2>/dev/null
}

# _mfo_public_run_dir STACK_DIR: a run dir for STACK_DIR outside it, the same
# on every call (scripts/lib/stack.sh run by a test finds the sockets again):
# /run/mfo-stack-HASH (tmpfs), or under /tmp without a writable /run.
_mfo_public_run_dir() {
    local hash base=/run
    hash=$(printf '%s' "$1" | sha256sum | cut -c1-12)
    [[ -d "$base" && -w "$base" ]] || base=/tmp
    printf '%s/mfo-stack-%s\n' "$base" "$hash"
}

# mfo_stack_remove_dir STACK_DIR: remove a stopped stack's directory and,
# when its run/ is a link to a public run dir, that directory too.
mfo_stack_remove_dir() {
    local run
    if [[ -L "$1/run" ]]; then
        run=$(readlink "$1/run")
        [[ "$run" == /run/mfo-stack-* || "$run" == /tmp/mfo-stack-* ]] && rm -rf -- "$run"
    fi
    rm -rf -- "$1"
}

# mfo_stack_static_root: the static/ folder the front servers serve: the
# checkout's, or, when www-data cannot read it (root with a checkout under
# /root), a copy in the run dir made now (so edits show after a restart).
mfo_stack_static_root() {
    local src=$MFO_REPO_DIR/static
    if _mfo_www_data_locked_out "$src"; then
        rm -rf "$MFO_STACK_RUN_DIR/static"
        cp -R "$src" "$MFO_STACK_RUN_DIR/static"
        chmod -R u=rwX,go=rX "$MFO_STACK_RUN_DIR/static"
        printf '%s\n' "$MFO_STACK_RUN_DIR/static"
    else
        printf '%s\n' "$src"
    fi
}

# mfo_stack_from_env: the layout of the running test stack, from scripts/test's
# exported variables.
mfo_stack_from_env() {
    [[ -n "${MFO_TEST_STACK_DIR:-}" && -n "${MFO_TEST_BIN_DIR:-}" && -n "${MFO_TEST_CONFIG:-}" ]] \
        || mfo_die "MFO_TEST_STACK_DIR, MFO_TEST_BIN_DIR and MFO_TEST_CONFIG must be set (scripts/test exports them)"
    mfo_stack_layout "$MFO_TEST_STACK_DIR" "$MFO_TEST_BIN_DIR" "$MFO_TEST_CONFIG"
    MFO_STACK_CWD=$MFO_STACK_DIR
}

# The processes of a stack, in start order: NAME (also the expected comm).
MFO_STACK_PROCS=(mariadbd mfo-fcgi nginx)
# Started by scripts/test only (a second front server): stopped and reported
# like the others when running, but not expected by scripts/run.
MFO_STACK_OPTIONAL_PROCS=(apache2 echo-upstream)

mfo_stack_pidfile() { printf '%s/stack.%s.pid\n' "$MFO_STACK_RUN_DIR" "$1"; }

# The pool's binary: mfo-fcgi, or mfo-fcgi-test (the same with the test-only
# routes compiled in) for scripts/test.
MFO_STACK_FCGI_BIN=${MFO_STACK_FCGI_BIN:-mfo-fcgi}

# mfo_stack_comm NAME: the process name (comm) a stack process runs as.
mfo_stack_comm() {
    if [[ "$1" == mfo-fcgi ]]; then printf '%s\n' "$MFO_STACK_FCGI_BIN"; else printf '%s\n' "$1"; fi
}

# mfo_stack_running: print "name pid" of each live stack process; true if any.
mfo_stack_running() {
    local name pidfile any=1
    for name in "${MFO_STACK_PROCS[@]}" "${MFO_STACK_OPTIONAL_PROCS[@]}"; do
        pidfile=$(mfo_stack_pidfile "$name")
        if mfo_pidfile_alive "$pidfile" "$(mfo_stack_comm "$name")"; then
            printf '%s %s\n' "$name" "$(head -n1 "$pidfile")"
            any=0
        fi
    done
    return "$any"
}

# mfo_stack_clean_stale: remove pid files (and sockets) of processes that are
# gone. Call only after mfo_stack_running said nothing runs.
mfo_stack_clean_stale() {
    local name
    for name in "${MFO_STACK_PROCS[@]}" "${MFO_STACK_OPTIONAL_PROCS[@]}"; do
        rm -f "$(mfo_stack_pidfile "$name")"
    done
    rm -f "$MFO_STACK_FCGI_SOCKET" "$MFO_STACK_RUN_DIR/mfo-fcgi.pid" "$MFO_STACK_RUN_DIR/nginx.pid" \
        "$MFO_STACK_RUN_DIR/apache2.pid"
}

# ---------------------------------------------------------------------------
# MariaDB

# The mariadbd options of the last mfo_stack_start_db, one a line, so that
# mfo_stack_resume_db brings the server back as it was.
mfo_stack_db_args_file() { printf '%s/stack.mariadbd.args\n' "$MFO_STACK_RUN_DIR"; }

# mfo_stack_start_db [MARIADBD_ARGS...]: init once, start, create accounts.
mfo_stack_start_db() {
    mfo_mariadb_init "$MFO_STACK_DATADIR"
    mfo_mariadb_start "$MFO_STACK_DATADIR" "$MFO_STACK_DB_SOCKET" \
        "$MFO_STACK_LOG_DIR/mariadb.log" "$@" || return 1
    if (( $# > 0 )); then
        printf '%s\n' "$@" >"$(mfo_stack_db_args_file)"
    else
        rm -f "$(mfo_stack_db_args_file)"
    fi
    mfo_mariadb_bootstrap_accounts "$MFO_STACK_DB_SOCKET" "$MFO_STACK_DB_NAME" "$MFO_STACK_SECRETS_DIR"
}

# mfo_stack_resume_db [MARIADBD_ARGS...]: start the stack's MariaDB again
# after mfo_stack_stop_db (for tests of a database outage): the datadir must
# exist; accounts are left as they are. Without arguments it uses the options
# of the last mfo_stack_start_db. Waits (bounded) until the server answers.
mfo_stack_resume_db() {
    local -a args=("$@")
    [[ -d "$MFO_STACK_DATADIR/mysql" ]] \
        || mfo_die "no MariaDB datadir in $MFO_STACK_DATADIR: start the stack first"
    if (( ${#args[@]} == 0 )) && [[ -f "$(mfo_stack_db_args_file)" ]]; then
        mapfile -t args <"$(mfo_stack_db_args_file)"
    fi
    mfo_mariadb_start "$MFO_STACK_DATADIR" "$MFO_STACK_DB_SOCKET" \
        "$MFO_STACK_LOG_DIR/mariadb.log" "${args[@]}"
}

mfo_stack_stop_db() { mfo_mariadb_stop "$MFO_STACK_DB_SOCKET" 60; }

# ---------------------------------------------------------------------------
# The FastCGI pool

# mfo_stack_start_pool [EXTRA_ARGS...]: start BIN/mfo-fcgi --config CONFIG in
# the background (stderr to log/mfo-fcgi.log; working directory
# $MFO_STACK_CWD, default the current one: the app reads .env from there) and
# wait up to 30 s for its socket.
mfo_stack_start_pool() {
    local pidfile bin log
    pidfile=$(mfo_stack_pidfile mfo-fcgi)
    bin=$MFO_STACK_BIN_DIR/$MFO_STACK_FCGI_BIN
    log=$MFO_STACK_LOG_DIR/mfo-fcgi.log
    mfo_require_bins "$MFO_STACK_BIN_DIR" "$MFO_STACK_FCGI_BIN"
    if mfo_pidfile_alive "$pidfile" "$MFO_STACK_FCGI_BIN"; then
        mfo_error "mfo-fcgi already running (pid $(head -n1 "$pidfile"))"
        return 1
    fi
    rm -f "$MFO_STACK_FCGI_SOCKET"
    mfo_log "starting mfo-fcgi (config $MFO_STACK_CONFIG, log $log)"
    MFO_SPAWN_CWD=${MFO_STACK_CWD:-.} mfo_spawn "$pidfile" "$log" "$bin" --config "$MFO_STACK_CONFIG" "$@"
    if ! mfo_wait_socket "$MFO_STACK_FCGI_SOCKET" 30 "$MFO_SPAWNED_PID"; then
        mfo_tail_log "$log"
        mfo_stack_stop_pool || true
        return 1
    fi
    mfo_log "mfo-fcgi ready (pid $MFO_SPAWNED_PID, socket $MFO_STACK_FCGI_SOCKET)"
}

# mfo_stack_stop_pool: SIGTERM (the pool drains), bounded wait.
mfo_stack_stop_pool() {
    mfo_stop_pidfile "$MFO_STACK_FCGI_BIN" "$(mfo_stack_pidfile mfo-fcgi)" 30
}

# mfo_stack_reload_pool: SIGHUP to the running pool.
mfo_stack_reload_pool() {
    local pidfile
    pidfile=$(mfo_stack_pidfile mfo-fcgi)
    mfo_pidfile_alive "$pidfile" "$MFO_STACK_FCGI_BIN" || mfo_die "mfo-fcgi is not running"
    kill -HUP "$(head -n1 "$pidfile")"
}

# ---------------------------------------------------------------------------
# TLS: a throwaway CA and a server certificate for the https front servers
# (conf/nginx|apache/mfo-https.conf) of scripts/test and scripts/run --https.
# Development only: production uses a real certificate (README Deployment).

# The host name the certificate names besides 127.0.0.1 and localhost.
MFO_STACK_TLS_HOST=mfo.test

# mfo_stack_make_tls DIR: DIR/ca.pem (the CA to trust), DIR/server.pem and
# DIR/server.key (for 127.0.0.1, localhost and $MFO_STACK_TLS_HOST, signed
# by that CA), made with openssl unless DIR has them and the certificate is
# valid for another day (scripts/run keeps its CA, so a browser that trusts
# it keeps doing so). Sets MFO_STACK_TLS_DIR and MFO_CURL_CA. The files are
# read by nginx and Apache at start, as the user that starts them; DIR is
# made readable by www-data (group) so a server run as www-data finds them
# from any checkout.
mfo_stack_make_tls() {
    local dir=$1 days=30
    mkdir -p "$dir"
    MFO_STACK_TLS_DIR=$(cd "$dir" && pwd -P)
    MFO_CURL_CA=$MFO_STACK_TLS_DIR/ca.pem
    dir=$MFO_STACK_TLS_DIR
    if [[ -s "$dir/ca.pem" && -s "$dir/server.key" && -s "$dir/server.pem" ]] \
        && openssl x509 -in "$dir/server.pem" -noout -checkend 86400 >/dev/null 2>&1; then
        return 0
    fi
    mfo_log "making a test CA and a server certificate in $dir"
    local ext=$dir/server.ext
    printf '%s\n' \
        "subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:$MFO_STACK_TLS_HOST" \
        'basicConstraints = critical, CA:FALSE' \
        'keyUsage = critical, digitalSignature' \
        'extendedKeyUsage = serverAuth' \
        'subjectKeyIdentifier = hash' \
        'authorityKeyIdentifier = keyid, issuer' >"$ext"
    (
        umask 077
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
            -keyout "$dir/ca.key" -out "$dir/ca.pem" -days "$days" \
            -subj "/CN=mfo development CA $(hostname) $(date -u +%Y%m%dT%H%M%SZ)" \
            -addext 'basicConstraints = critical, CA:TRUE, pathlen:0' \
            -addext 'keyUsage = critical, keyCertSign, cRLSign' &&
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
                -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=$MFO_STACK_TLS_HOST" &&
            openssl x509 -req -sha256 -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
                -CAcreateserial -days "$days" -extfile "$ext" -out "$dir/server.pem"
    ) >"$dir/openssl.log" 2>&1 || {
        cat "$dir/openssl.log" >&2
        mfo_die "openssl could not make the test certificates in $dir"
    }
    rm -f "$dir/server.csr" "$dir/ca.srl"
    chmod 0644 "$dir/ca.pem" "$dir/server.pem"
    chmod 0600 "$dir/ca.key"
    chmod 0640 "$dir/server.key"
    chmod 0750 "$dir"
    if mfo_is_root && id www-data >/dev/null 2>&1; then
        chgrp www-data "$dir" "$dir/server.key"
    fi
}

_mfo_stack_tls_ready() {
    [[ -n "${MFO_STACK_TLS_DIR:-}" && -s "$MFO_STACK_TLS_DIR/server.pem" ]] \
        || mfo_die "no test certificate: call mfo_stack_make_tls first"
}

# _mfo_stack_wait_urls PID URL...: wait up to 30 s for each URL to answer
# (below 500) while PID lives.
_mfo_stack_wait_urls() {
    local pid=$1 u
    shift
    for u in "$@"; do
        mfo_wait_http "$u" 30 "$pid" || return 1
    done
}

# ---------------------------------------------------------------------------
# nginx

mfo_nginx_bin() {
    command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && printf '/usr/sbin/nginx\n'; } \
        || mfo_die "nginx not found (package nginx)"
}

# _mfo_nginx_path_ok PATH: nothing nginx's config syntax would misread.
_mfo_nginx_path_ok() {
    [[ "$1" == /* && "$1" != *[[:space:]\;\"\'\$\{\}\#\\]* ]] \
        || mfo_die "path not usable in an nginx config (must be absolute, without spaces or ;\"'\$#{}\\): $1"
}

# mfo_nginx_user_line: the user directive for the dev nginx. Not root: none
# (workers run as us). Root: www-data, which must reach the socket and the
# static files; when the checkout is not reachable for www-data (e.g. under
# /root) the workers run as root instead, with a warning.
mfo_nginx_user_line() {
    local static_root=$1 dir
    mfo_is_root || return 0
    if ! id www-data >/dev/null 2>&1; then
        mfo_warn "no www-data user: nginx workers run as root"
        printf 'user root root;\n'
        return 0
    fi
    if command -v runuser >/dev/null 2>&1; then
        for dir in "$MFO_STACK_RUN_DIR" "$static_root"; do
            [[ -d "$dir" ]] || continue
            if ! runuser -u www-data -- test -x "$dir" 2>/dev/null; then
                mfo_warn "www-data cannot reach $dir: nginx workers run as root"
                printf 'user root root;\n'
                return 0
            fi
        done
    fi
    printf 'user www-data www-data;\n'
}

# Other applications behind mfo's login (scripts/test): with
# MFO_STACK_PROTECT_FILES (a folder) and MFO_STACK_PROTECT_UPSTREAM
# (127.0.0.1:PORT of tests/protect/echo-upstream) set, the rendered server
# block / virtual host includes conf/nginx|apache/mfo-protect.conf, at the
# commented include line of conf/*/mfo.conf.
# _mfo_stack_render_protect TEMPLATE OUT SERVER_CONF HOOK_LINE INCLUDE_LINE [NAME=VALUE...]
_mfo_stack_render_protect() {
    local template=$1 out=$2 server_conf=$3 hook=$4 include=$5
    shift 5
    [[ -n "${MFO_STACK_PROTECT_FILES:-}" && -n "${MFO_STACK_PROTECT_UPSTREAM:-}" ]] || return 0
    mfo_render "$template" "$out" "FILES_ROOT=$MFO_STACK_PROTECT_FILES" \
        "UPSTREAM=$MFO_STACK_PROTECT_UPSTREAM" "$@"
    grep -qF "$hook" "$server_conf" || mfo_die "$server_conf has no line '$hook' to include $out at"
    local text
    text=$(<"$server_conf")
    # Every occurrence: the plain and the https server may share the file.
    printf '%s\n' "${text//"$hook"/"$include"}" >"$server_conf"
}

# mfo_stack_start_upstream PORT: tests/protect/echo-upstream on 127.0.0.1:PORT
# (the protected app of the protect tests); waits up to 30 s for it.
mfo_stack_start_upstream() {
    local port=$1 pidfile
    pidfile=$(mfo_stack_pidfile echo-upstream)
    mfo_log "starting echo-upstream on 127.0.0.1:$port"
    mfo_spawn "$pidfile" "$MFO_STACK_LOG_DIR/echo-upstream.log" \
        "$MFO_REPO_DIR/tests/protect/echo-upstream" "$port"
    mfo_wait_http "http://127.0.0.1:$port/" 30 "$MFO_SPAWNED_PID" || return 1
}

mfo_stack_stop_upstream() {
    mfo_stop_pidfile echo-upstream "$(mfo_stack_pidfile echo-upstream)" 15
}

# mfo_stack_render_nginx PORT LOGIN_RATE LOGIN_BURST [HTTPS_PORT HTTP_PORT]:
# write run/nginx.conf (from conf/nginx/dev-nginx.conf.in) and
# run/nginx-server.conf: conf/nginx/mfo.conf on 127.0.0.1:PORT (none when
# PORT is empty) and, with HTTPS_PORT, conf/nginx/mfo-https.conf filled in
# as README Deployment says (https on 127.0.0.1:HTTPS_PORT, its redirect on
# 127.0.0.1:HTTP_PORT, the certificate of mfo_stack_make_tls), plus the
# fastcgi_params they include.
mfo_stack_render_nginx() {
    local port=$1 rate=$2 burst=$3 https_port=${4:-} http_port=${5:-}
    local tdir=$MFO_REPO_DIR/conf/nginx static_root user_line
    local run=$MFO_STACK_RUN_DIR log=$MFO_STACK_LOG_DIR
    local p servers=()
    static_root=$(mfo_stack_static_root)
    for p in "$run" "$log" "$static_root" "$MFO_STACK_FCGI_SOCKET"; do
        _mfo_nginx_path_ok "$p"
    done
    user_line=$(mfo_nginx_user_line "$static_root")
    mkdir -p "$run/nginx-tmp"
    # Relative includes resolve against the config's directory.
    cp -f /etc/nginx/fastcgi_params "$run/fastcgi_params" \
        || mfo_die "/etc/nginx/fastcgi_params missing (package nginx)"
    if [[ -n "$port" ]]; then
        mfo_render "$tdir/mfo.conf" "$run/nginx-plain.conf" \
            "LISTEN=127.0.0.1:$port" \
            "SERVER_NAME=localhost 127.0.0.1" \
            "STATIC_ROOT=$static_root" \
            "FCGI_SOCKET=$MFO_STACK_FCGI_SOCKET" \
            "LOGIN_RATE=$rate" \
            "LOGIN_BURST=$burst"
        servers+=("$run/nginx-plain.conf")
    fi
    if [[ -n "$https_port" ]]; then
        [[ -n "$http_port" ]] || mfo_die "mfo_stack_render_nginx: HTTPS_PORT needs HTTP_PORT"
        _mfo_stack_tls_ready
        _mfo_nginx_path_ok "$MFO_STACK_TLS_DIR"
        mfo_render "$tdir/mfo-https.conf" "$run/nginx-https.conf" \
            "HTTP_LISTEN=127.0.0.1:$http_port" \
            "HTTPS_LISTEN=127.0.0.1:$https_port" \
            "HTTPS_ORIGIN=https://127.0.0.1:$https_port" \
            "SERVER_NAME=$MFO_STACK_TLS_HOST localhost 127.0.0.1" \
            "SSL_CERT=$MFO_STACK_TLS_DIR/server.pem" \
            "SSL_KEY=$MFO_STACK_TLS_DIR/server.key" \
            "STATIC_ROOT=$static_root" \
            "FCGI_SOCKET=$MFO_STACK_FCGI_SOCKET" \
            "LOGIN_RATE=$rate" \
            "LOGIN_BURST=$burst"
        servers+=("$run/nginx-https.conf")
    fi
    (( ${#servers[@]} > 0 )) || mfo_die "mfo_stack_render_nginx: neither PORT nor HTTPS_PORT"
    cat "${servers[@]}" >"$run/nginx-server.conf"
    _mfo_stack_render_protect "$tdir/mfo-protect.conf" "$run/nginx-protect.conf" \
        "$run/nginx-server.conf" '#include /etc/nginx/snippets/mfo-protect.conf;' \
        "include $run/nginx-protect.conf;" "FCGI_SOCKET=$MFO_STACK_FCGI_SOCKET"
    mfo_render "$tdir/dev-nginx.conf.in" "$run/nginx.conf" \
        "USER_LINE=$user_line" \
        "RUN_DIR=$run" \
        "LOG_DIR=$log" \
        "SERVER_CONF=$run/nginx-server.conf" \
        "LOGIN_RATE=$rate"
}

# mfo_stack_nginx_args: the nginx command line for the rendered config.
mfo_stack_nginx_args() {
    printf '%s\n' -p "$MFO_STACK_RUN_DIR/" -c "$MFO_STACK_RUN_DIR/nginx.conf" \
        -e "$MFO_STACK_LOG_DIR/nginx-error.log"
}

# mfo_stack_start_nginx PORT [HTTPS_PORT HTTP_PORT]: check the rendered
# config, start nginx, wait up to 30 s for /login to answer on each of its
# ports (https verified with the test CA).
mfo_stack_start_nginx() {
    local port=$1 https_port=${2:-} http_port=${3:-} nginx pidfile p
    local -a args urls=()
    nginx=$(mfo_nginx_bin)
    mapfile -t args < <(mfo_stack_nginx_args)
    pidfile=$(mfo_stack_pidfile nginx)
    if mfo_pidfile_alive "$pidfile" nginx; then
        mfo_error "nginx already running (pid $(head -n1 "$pidfile"))"
        return 1
    fi
    for p in $port $https_port $http_port; do
        if mfo_port_in_use "$p"; then
            mfo_error "port $p on 127.0.0.1 is already in use (choose another with --port N or MFO_PORT)"
            return 1
        fi
    done
    [[ -n "$port" ]] && urls+=("http://127.0.0.1:$port/login")
    [[ -n "$https_port" ]] && urls+=("https://127.0.0.1:$https_port/login" "http://127.0.0.1:$http_port/login")
    if ! "$nginx" -t -q "${args[@]}" 2>"$MFO_STACK_LOG_DIR/nginx-check.log"; then
        cat "$MFO_STACK_LOG_DIR/nginx-check.log" >&2
        mfo_error "nginx rejected $MFO_STACK_RUN_DIR/nginx.conf"
        return 1
    fi
    mfo_log "starting nginx on ${urls[*]}"
    mfo_rotate_big_log "$MFO_STACK_LOG_DIR/nginx-access.log"
    mfo_spawn "$pidfile" "$MFO_STACK_LOG_DIR/nginx.out" "$nginx" "${args[@]}"
    if ! _mfo_stack_wait_urls "$MFO_SPAWNED_PID" "${urls[@]}"; then
        mfo_tail_log "$MFO_STACK_LOG_DIR/nginx.out"
        mfo_tail_log "$MFO_STACK_LOG_DIR/nginx-error.log"
        mfo_tail_log "$MFO_STACK_LOG_DIR/mfo-fcgi.log"
        mfo_stack_stop_nginx || true
        return 1
    fi
    mfo_log "nginx ready (pid $MFO_SPAWNED_PID)"
}

mfo_stack_stop_nginx() {
    mfo_stop_pidfile nginx "$(mfo_stack_pidfile nginx)" 15
}

# ---------------------------------------------------------------------------
# Apache (scripts/test: a second front server before the same pool)

mfo_apache_bin() {
    command -v apache2 2>/dev/null || { [[ -x /usr/sbin/apache2 ]] && printf '/usr/sbin/apache2\n'; } \
        || mfo_die "apache2 not found (package apache2)"
}

# _mfo_apache_path_ok PATH: nothing Apache's config syntax would misread.
_mfo_apache_path_ok() {
    [[ "$1" == /* && "$1" != *[[:space:]\"\'\$\{\}\#\\\|]* ]] \
        || mfo_die "path not usable in an Apache config (must be absolute, without spaces or \"'\$#{}\\|): $1"
}

# mfo_apache_user_lines: the User/Group lines of the test Apache. Not root:
# none (it runs as us). Root: www-data, which must reach the socket (its
# group) and the static files; Apache refuses to serve as root, so when the
# checkout is not reachable for www-data this fails (with a warning).
mfo_apache_user_lines() {
    local static_root=$1 dir
    mfo_is_root || return 0
    if ! id www-data >/dev/null 2>&1; then
        mfo_warn "no www-data user: Apache cannot run (it refuses to serve as root)"
        return 1
    fi
    if command -v runuser >/dev/null 2>&1; then
        for dir in "$MFO_STACK_RUN_DIR" "$static_root"; do
            if ! runuser -u www-data -- test -x "$dir" 2>/dev/null; then
                mfo_warn "www-data cannot reach $dir: Apache cannot run (it refuses to serve as root)"
                return 1
            fi
        done
    fi
    printf 'User www-data\nGroup www-data\n'
}

# mfo_stack_render_apache PORT [HTTPS_PORT HTTP_PORT]: write run/apache2.conf
# (from conf/apache/dev-apache.conf.in) and run/apache-vhost.conf: the
# virtual host of conf/apache/mfo.conf on 127.0.0.1:PORT and, with
# HTTPS_PORT, those of conf/apache/mfo-https.conf filled in as README
# Deployment says (https on 127.0.0.1:HTTPS_PORT, its redirect on
# 127.0.0.1:HTTP_PORT, the certificate of mfo_stack_make_tls). Fails when
# Apache could not serve this checkout.
mfo_stack_render_apache() {
    local port=$1 https_port=${2:-} http_port=${3:-}
    local tdir=$MFO_REPO_DIR/conf/apache static_root user_lines
    local run=$MFO_STACK_RUN_DIR log=$MFO_STACK_LOG_DIR p
    local listen_lines="Listen 127.0.0.1:$port" ssl_lines=""
    static_root=$(mfo_stack_static_root)
    for p in "$run" "$log" "$static_root" "$MFO_STACK_FCGI_SOCKET"; do
        _mfo_apache_path_ok "$p"
    done
    user_lines=$(mfo_apache_user_lines "$static_root") || return 1
    mkdir -p "$run/apache"
    mfo_render "$tdir/mfo.conf" "$run/apache-vhost.conf" \
        "LISTEN=127.0.0.1:$port" \
        "SERVER_NAME=localhost" \
        "STATIC_ROOT=$static_root" \
        "FCGI_SOCKET=$MFO_STACK_FCGI_SOCKET"
    if [[ -n "$https_port" ]]; then
        [[ -n "$http_port" ]] || mfo_die "mfo_stack_render_apache: HTTPS_PORT needs HTTP_PORT"
        _mfo_stack_tls_ready
        _mfo_apache_path_ok "$MFO_STACK_TLS_DIR"
        mfo_render "$tdir/mfo-https.conf" "$run/apache-https.conf" \
            "HTTP_LISTEN=127.0.0.1:$http_port" \
            "HTTPS_LISTEN=127.0.0.1:$https_port" \
            "HTTPS_ORIGIN=https://127.0.0.1:$https_port" \
            "SERVER_NAME=$MFO_STACK_TLS_HOST" \
            "SSL_CERT=$MFO_STACK_TLS_DIR/server.pem" \
            "SSL_KEY=$MFO_STACK_TLS_DIR/server.key" \
            "STATIC_ROOT=$static_root" \
            "FCGI_SOCKET=$MFO_STACK_FCGI_SOCKET"
        cat "$run/apache-https.conf" >>"$run/apache-vhost.conf"
        listen_lines+=$'\n'"Listen 127.0.0.1:$https_port"$'\n'"Listen 127.0.0.1:$http_port"
        # As Debian's mods-available/ssl.conf: mod_ssl with a session cache.
        ssl_lines="LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so"
        ssl_lines+=$'\n'"LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so"
        ssl_lines+=$'\n'"SSLSessionCache shmcb:$run/apache/ssl_scache(512000)"
    fi
    local authorizer_lines=""
    if [[ -n "${MFO_STACK_PROTECT_FILES:-}" && -n "${MFO_STACK_AUTHORIZER_LISTEN:-}" ]]; then
        _mfo_stack_render_protect "$tdir/mfo-protect.conf" "$run/apache-protect.conf" \
            "$run/apache-vhost.conf" '#Include /etc/apache2/mfo-protect.conf' \
            "Include $run/apache-protect.conf"
        authorizer_lines="AuthnzFcgiDefineProvider authnz mfo fcgi://$MFO_STACK_AUTHORIZER_LISTEN/"
    fi
    mfo_render "$tdir/dev-apache.conf.in" "$run/apache2.conf" \
        "AUTHORIZER_LINES=$authorizer_lines" \
        "SSL_LINES=$ssl_lines" \
        "RUN_DIR=$run" \
        "LOG_DIR=$log" \
        "MODULES_DIR=/usr/lib/apache2/modules" \
        "LISTEN_LINES=$listen_lines" \
        "USER_LINES=$user_lines" \
        "SERVER_CONF=$run/apache-vhost.conf"
}

# mfo_stack_start_apache PORT [HTTPS_PORT HTTP_PORT]: check the rendered
# config, start Apache in the foreground (backgrounded here), wait up to 30 s
# for /login to answer on each of its ports (https verified with the test CA).
mfo_stack_start_apache() {
    local port=$1 https_port=${2:-} http_port=${3:-} apache pidfile p
    local conf=$MFO_STACK_RUN_DIR/apache2.conf
    local -a urls=("http://127.0.0.1:$port/login")
    apache=$(mfo_apache_bin)
    pidfile=$(mfo_stack_pidfile apache2)
    if mfo_pidfile_alive "$pidfile" apache2; then
        mfo_error "apache2 already running (pid $(head -n1 "$pidfile"))"
        return 1
    fi
    for p in $port $https_port $http_port; do
        if mfo_port_in_use "$p"; then
            mfo_error "port $p on 127.0.0.1 is already in use"
            return 1
        fi
    done
    [[ -n "$https_port" ]] && urls+=("https://127.0.0.1:$https_port/login" "http://127.0.0.1:$http_port/login")
    if ! "$apache" -t -f "$conf" >"$MFO_STACK_LOG_DIR/apache-check.log" 2>&1; then
        cat "$MFO_STACK_LOG_DIR/apache-check.log" >&2
        mfo_error "apache2 rejected $conf"
        return 1
    fi
    mfo_log "starting apache2 on ${urls[*]}"
    mfo_spawn "$pidfile" "$MFO_STACK_LOG_DIR/apache.out" "$apache" -f "$conf" -DFOREGROUND
    if ! _mfo_stack_wait_urls "$MFO_SPAWNED_PID" "${urls[@]}"; then
        mfo_tail_log "$MFO_STACK_LOG_DIR/apache.out"
        mfo_tail_log "$MFO_STACK_LOG_DIR/apache-error.log"
        mfo_stack_stop_apache || true
        return 1
    fi
    mfo_log "apache2 ready (pid $MFO_SPAWNED_PID)"
}

mfo_stack_stop_apache() {
    mfo_stop_pidfile apache2 "$(mfo_stack_pidfile apache2)" 15
}

# mfo_stack_stop_all: stop whatever of the stack runs (Apache, nginx, pool,
# MariaDB).
mfo_stack_stop_all() {
    local rc=0
    mfo_stack_stop_apache || rc=1
    mfo_stack_stop_nginx || rc=1
    mfo_stack_stop_upstream || rc=1
    mfo_stack_stop_pool || rc=1
    mfo_stack_stop_db || rc=1
    return "$rc"
}

# mfo_stack_print_logs: the end of every log of the stack (after a failure).
mfo_stack_print_logs() {
    local f
    for f in mfo-fcgi.log mariadb.log nginx-error.log nginx.out apache-error.log apache.out \
        echo-upstream.log; do
        mfo_tail_log "$MFO_STACK_LOG_DIR/$f" "${1:-40}"
    done
}

# ---------------------------------------------------------------------------
# Run as a command (for tests): operate on the running test stack's pool.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    mfo_stack_from_env
    cmd=${1:-}
    shift || true
    case "$cmd" in
        start-pool) mfo_stack_start_pool "$@" ;;
        stop-pool) mfo_stack_stop_pool ;;
        restart-pool) mfo_stack_stop_pool && mfo_stack_start_pool "$@" ;;
        reload-pool) mfo_stack_reload_pool ;;
        stop-db) mfo_stack_stop_db ;;
        start-db) mfo_stack_resume_db "$@" ;;
        restart-db) mfo_stack_stop_db && mfo_stack_resume_db "$@" ;;
        *) mfo_die "usage: $0 start-pool|stop-pool|restart-pool|reload-pool|stop-db|start-db|restart-db" ;;
    esac
fi
