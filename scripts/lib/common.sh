# shellcheck shell=bash
# Shared helpers for scripts/run, scripts/stop and scripts/test (sourced, not run).
#
# Conventions:
#   - every function logs one-line messages to stderr with an "[mfo]" prefix;
#   - waits are bounded polling loops (every 0.1 s, with an overall deadline);
#   - processes are started in their own session (setsid), their pid recorded
#     in a pid file, and stopped only by that pid (SIGTERM, bounded wait).

if [[ -n "${MFO_COMMON_SH_LOADED:-}" ]]; then
    return 0
fi
MFO_COMMON_SH_LOADED=1

# Repository root (this file lives in scripts/lib/).
MFO_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"

# ---------------------------------------------------------------------------
# Debian 12 packages: the single list of what building, running and testing
# mfo needs. openssl (for the random secrets) and python3 (free ports) are
# usually present but listed so a bare machine gets them too. apache2 (the
# second front server), chromium, fonts-liberation and nodejs (the browser
# tests; npm comes with NodeSource's nodejs, else from Debian's npm, see
# mfo_ensure_npm) and libnss3-tools (certutil: the test CA in the browser's
# own NSS db, for the https runs) are for scripts/test.
MFO_BUILD_PACKAGES=(
    build-essential cmake pkg-config
    libfcgi-dev libmysqlcppconn-dev libctemplate-dev libssl-dev libargon2-dev
    nlohmann-json3-dev libinih-dev libboost-test-dev libcurl4-openssl-dev
    libcrypt-dev libunistring-dev libsqlite3-dev
)
MFO_RUNTIME_PACKAGES=(
    mariadb-server mariadb-client nginx curl openssl john-data
    python3 python3-pytest python3-requests python3-bs4 python3-argon2
    argon2 wrk
    apache2 chromium fonts-liberation nodejs libnss3-tools
    python3-flask-security python3-flask-sqlalchemy python3-bcrypt python3-passlib python3-pymysql
)

# ---------------------------------------------------------------------------
# Logging

# MFO_QUIET=1 silences mfo_log (warnings and errors still print).
mfo_log() {
    [[ "${MFO_QUIET:-0}" == 1 ]] || printf '[mfo] %s\n' "$*" >&2
}
mfo_warn() { printf '[mfo] warning: %s\n' "$*" >&2; }
mfo_error() { printf '[mfo] error: %s\n' "$*" >&2; }
mfo_die() {
    mfo_error "$*"
    exit 1
}

# mfo_tail_log FILE [LINES]: print the end of a log file, framed.
mfo_tail_log() {
    local file=$1 lines=${2:-40}
    if [[ -s "$file" ]]; then
        printf '[mfo] ----- last %s lines of %s -----\n' "$lines" "$file" >&2
        tail -n "$lines" -- "$file" >&2 || true
        printf '[mfo] ----- end of %s -----\n' "$file" >&2
    fi
}

mfo_is_root() { [[ "$(id -u)" -eq 0 ]]; }

# mfo_now_ds: monotonic-enough time in deciseconds (for deadlines).
mfo_now_ds() {
    local t=${EPOCHREALTIME:-}
    if [[ -n "$t" ]]; then
        t=${t/,/.}
        printf '%s\n' "$(( ${t%.*} * 10 + 10#${t#*.} / 100000 ))"
    else
        printf '%s\n' "$(( $(date +%s) * 10 ))"
    fi
}

# mfo_poll TIMEOUT_S CMD...: run CMD every 0.1 s until it succeeds (return 0)
# or TIMEOUT_S seconds have passed (return 1).
mfo_poll() {
    local timeout=$1
    shift
    local deadline=$(( $(mfo_now_ds) + timeout * 10 ))
    while true; do
        if "$@"; then
            return 0
        fi
        if (( $(mfo_now_ds) >= deadline )); then
            return 1
        fi
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------
# Packages

# mfo_missing_packages PKG...: print the packages (one a line) that dpkg does
# not have installed.
mfo_missing_packages() {
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
        if [[ "$status" != ii* ]]; then
            printf '%s\n' "$pkg"
        fi
    done
}

# mfo_ensure_packages [PKG...]: install whatever is missing of PKG... (default:
# the build and runtime lists) with one apt-get install. Set
# MFO_SKIP_PACKAGES=1 to skip the check (non-Debian machines).
mfo_ensure_packages() {
    if [[ "${MFO_SKIP_PACKAGES:-0}" == 1 ]]; then
        mfo_log "MFO_SKIP_PACKAGES=1: not checking system packages"
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        mfo_warn "dpkg-query not found (not Debian?): not checking packages; set MFO_SKIP_PACKAGES=1 to silence"
        return 0
    fi
    local -a wanted=("$@")
    if (( ${#wanted[@]} == 0 )); then
        wanted=("${MFO_BUILD_PACKAGES[@]}" "${MFO_RUNTIME_PACKAGES[@]}")
    fi
    local -a missing
    mapfile -t missing < <(mfo_missing_packages "${wanted[@]}")
    if (( ${#missing[@]} == 0 )); then
        return 0
    fi
    mfo_log "installing missing packages: ${missing[*]}"

    local -a sudo=()
    if ! mfo_is_root; then
        command -v sudo >/dev/null 2>&1 \
            || mfo_die "missing packages (${missing[*]}) and not root, with no sudo: install them first"
        sudo=(sudo)
    fi

    # Keep Debian's maintainer scripts from starting (or restarting) the
    # system mariadb/nginx services: invoke-rc.d honours policy-rc.d's 101.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# temporary, from mfo scripts/lib/common.sh\nexit 101\n' \
            | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 0755 "$policy"
        created_policy=1
    fi

    local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
    local -a install=("${apt[@]}" install -y --no-install-recommends "${missing[@]}")
    local rc=0
    if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        mfo_log "apt package lists are empty: running apt-get update"
        "${apt[@]}" update || rc=$?
    fi
    if (( rc == 0 )) && ! "${install[@]}"; then
        mfo_log "apt-get install failed: running apt-get update and retrying"
        rc=0
        "${apt[@]}" update || rc=$?
        if (( rc == 0 )); then
            "${install[@]}" || rc=$?
        fi
    fi

    if (( created_policy )); then
        "${sudo[@]}" rm -f "$policy"
    fi
    if (( rc != 0 )); then
        mfo_die "could not install: ${missing[*]}"
    fi
    mapfile -t missing < <(mfo_missing_packages "${wanted[@]}")
    if (( ${#missing[@]} > 0 )); then
        mfo_die "still missing after apt-get install: ${missing[*]}"
    fi
}

# mfo_ensure_npm: npm is there (NodeSource's nodejs has it; Debian's nodejs
# needs the npm package, which NodeSource's conflicts with).
mfo_ensure_npm() {
    command -v npm >/dev/null 2>&1 || mfo_ensure_packages npm
}

# ---------------------------------------------------------------------------
# Build

# _mfo_cache_matches BUILD_DIR ARGS...: every -DNAME[:TYPE]=VALUE of ARGS has
# that value in BUILD_DIR/CMakeCache.txt.
_mfo_cache_matches() {
    local cache=$1/CMakeCache.txt arg name value line
    shift
    [[ -f "$cache" ]] || return 1
    for arg in "$@"; do
        [[ "$arg" == -D*=* ]] || return 1   # other options: cannot tell, configure
        name=${arg#-D}
        value=${name#*=}
        name=${name%%=*}
        name=${name%%:*}
        line=$(grep -m1 -E "^${name}:[A-Z_]+=" "$cache" || true)
        [[ -n "$line" && "${line#*=}" == "$value" ]] || return 1
    done
}

# mfo_build BUILD_DIR [CMAKE_ARGS...]: configure (Release unless the args say
# otherwise) when the build dir has no cache yet or a -D setting differs from
# the cache, then build with 2 jobs (MFO_BUILD_JOBS to change).
mfo_build() {
    local build_dir=$1
    shift
    [[ -f "$MFO_REPO_DIR/CMakeLists.txt" ]] \
        || mfo_die "no CMakeLists.txt in $MFO_REPO_DIR: nothing to build yet"
    local -a args=(-DCMAKE_BUILD_TYPE=Release "$@")
    # A later -DCMAKE_BUILD_TYPE overrides the default: drop the default then.
    local arg
    for arg in "$@"; do
        if [[ "$arg" == -DCMAKE_BUILD_TYPE=* ]]; then
            args=("$@")
            break
        fi
    done
    if ! _mfo_cache_matches "$build_dir" "${args[@]}"; then
        mfo_log "configuring $build_dir (${args[*]})"
        mkdir -p "$build_dir"
        cmake -S "$MFO_REPO_DIR" -B "$build_dir" "${args[@]}" \
            || mfo_die "cmake configure failed in $build_dir"
    fi
    mfo_log "building in $build_dir"
    cmake --build "$build_dir" -j"${MFO_BUILD_JOBS:-2}" \
        || mfo_die "build failed in $build_dir"
}

# mfo_require_bins BIN_DIR NAME...: fail clearly when a binary is missing.
mfo_require_bins() {
    local dir=$1 name
    shift
    for name in "$@"; do
        [[ -x "$dir/$name" ]] \
            || mfo_die "$dir/$name is missing: the build did not produce it"
    done
}

# ---------------------------------------------------------------------------
# Processes

# Pids started by this shell (safe to signal without a name check).
declare -a MFO_OWN_PIDS=()

# mfo_pid_running PID: alive and not a zombie.
mfo_pid_running() {
    local pid=$1 stat state
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    state=${stat##*) }
    state=${state%% *}
    [[ "$state" != Z && "$state" != X ]]
}

# mfo_pid_is PID NAME: PID runs NAME (per /proc/PID/comm), or was started by
# this shell.
mfo_pid_is() {
    local pid=$1 name=$2 comm p
    mfo_pid_running "$pid" || return 1
    for p in "${MFO_OWN_PIDS[@]}"; do
        [[ "$p" == "$pid" ]] && return 0
    done
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [[ "$comm" == "${name:0:15}" ]]
}

# mfo_pidfile_alive PIDFILE NAME: the pid in PIDFILE is a live NAME process.
mfo_pidfile_alive() {
    local pidfile=$1 name=$2 pid
    [[ -f "$pidfile" ]] || return 1
    pid=$(head -n1 "$pidfile" 2>/dev/null || true)
    mfo_pid_is "$pid" "$name"
}

# mfo_spawn PIDFILE LOGFILE CMD...: start CMD in the background in a session
# of its own (so a terminal's Ctrl-C reaches only the script, which then stops
# it in order), stdin from /dev/null, stdout+stderr appended to LOGFILE, in
# directory $MFO_SPAWN_CWD (default: the current one). Records the pid in
# PIDFILE and MFO_SPAWNED_PID.
mfo_spawn() {
    local pidfile=$1 logfile=$2
    shift 2
    mfo_rotate_big_log "$logfile"
    # The subshell execs setsid, which (not a group leader) execs CMD: $! is
    # CMD's pid.
    (cd "${MFO_SPAWN_CWD:-.}" && exec setsid "$@") </dev/null >>"$logfile" 2>&1 &
    MFO_SPAWNED_PID=$!
    MFO_OWN_PIDS+=("$MFO_SPAWNED_PID")
    printf '%s\n' "$MFO_SPAWNED_PID" >"$pidfile"
}

# mfo_rotate_big_log FILE: at a (re)start, move FILE to FILE.1 (replacing
# it) when it holds more than 64 MiB: the pool writes a line per request, and
# a few benchmark runs would otherwise fill the disk under var/log/.
mfo_rotate_big_log() {
    local size
    size=$(stat -c %s "$1" 2>/dev/null) || return 0
    if (( size > 64 * 1024 * 1024 )); then
        mv -f "$1" "$1.1"
    fi
}

# _mfo_group_alive PGID: some non-zombie process is in group PGID (zombies
# count for kill -0, and an exited leader stays one until init reaps it).
_mfo_group_alive() {
    kill -0 -- "-$1" 2>/dev/null || return 1
    # (cat fails on processes that vanish, or on SIGPIPE: not an answer.)
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v g="$1" '
        { s = $0; sub(/.*\) /, "", s); split(s, f, " ")
          if (f[3] == g && f[1] != "Z" && f[1] != "X") found = 1 }
        END { exit !found }'
}
_mfo_not_running() { ! mfo_pid_running "$1"; }

# mfo_stop_pidfile NAME PIDFILE [TIMEOUT_S]: stop the NAME process recorded in
# PIDFILE: SIGTERM, wait up to TIMEOUT_S (default 20), then SIGKILL with a
# warning. Leftovers of its process group (workers) get the same treatment.
# Removes PIDFILE. Returns 0 when nothing of it runs any more. Sets
# MFO_STOP_STATUS to its exit status when it was a child of this shell.
mfo_stop_pidfile() {
    local name=$1 pidfile=$2 timeout=${3:-20} pid stat pgrp group=0
    MFO_STOP_STATUS=
    [[ -f "$pidfile" ]] || return 0
    pid=$(head -n1 "$pidfile" 2>/dev/null || true)
    if ! mfo_pid_is "$pid" "$name"; then
        # Gone already: collect its status if it was our child. When the pid
        # is free, live members of process group $pid can only be what our
        # session leader left behind (e.g. workers of a killed supervisor).
        _mfo_collect_status "$pid"
        if [[ "$pid" =~ ^[0-9]+$ ]] && ! mfo_pid_running "$pid"; then
            _mfo_kill_group_leftovers "$name" "$pid"
        fi
        rm -f "$pidfile"
        return 0
    fi
    stat=$(cat "/proc/$pid/stat" 2>/dev/null || true)
    pgrp=$(awk '{ sub(/.*\) /, ""); print $3 }' <<<"$stat")
    [[ "$pgrp" == "$pid" ]] && group=1
    mfo_log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! mfo_poll "$timeout" _mfo_not_running "$pid"; then
        mfo_warn "$name (pid $pid) still running after ${timeout}s: killing it"
        if (( group )); then
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
        kill -KILL "$pid" 2>/dev/null || true
        mfo_poll 5 _mfo_not_running "$pid" || mfo_warn "$name (pid $pid) did not die"
    fi
    _mfo_collect_status "$pid"
    if (( group )); then
        _mfo_kill_group_leftovers "$name" "$pid"
    fi
    rm -f "$pidfile"
}
_mfo_group_gone() { ! _mfo_group_alive "$1"; }

# _mfo_kill_group_leftovers NAME PGID: processes left in the group of an
# exited leader (workers that outlived their supervisor): SIGTERM, 5 s, KILL.
_mfo_kill_group_leftovers() {
    local name=$1 pgid=$2
    _mfo_group_alive "$pgid" || return 0
    mfo_warn "processes of $name (group $pgid) outlived it: stopping them"
    kill -TERM -- "-$pgid" 2>/dev/null || true
    if ! mfo_poll 5 _mfo_group_gone "$pgid"; then
        mfo_warn "killing the leftover processes of group $pgid"
        kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
}

# _mfo_collect_status PID: MFO_STOP_STATUS = exit status of PID if it is a
# (finished) child of this shell, else empty.
# shellcheck disable=SC2034  # MFO_STOP_STATUS is for the callers
_mfo_collect_status() {
    MFO_STOP_STATUS=
    [[ "$1" =~ ^[0-9]+$ ]] || return 0
    mfo_pid_running "$1" && return 0
    if wait "$1" 2>/dev/null; then
        MFO_STOP_STATUS=0
    else
        local st=$?
        (( st == 127 )) || MFO_STOP_STATUS=$st
    fi
}

# ---------------------------------------------------------------------------
# Waiting for services

# mfo_wait_socket PATH TIMEOUT_S [PID]: wait until PATH is a socket; fail
# early if PID (when given) exits.
mfo_wait_socket() {
    local path=$1 timeout=$2 pid=${3:-}
    local deadline=$(( $(mfo_now_ds) + timeout * 10 ))
    while [[ ! -S "$path" ]]; do
        if [[ -n "$pid" ]] && ! mfo_pid_running "$pid"; then
            mfo_error "process $pid exited before creating $path"
            return 1
        fi
        if (( $(mfo_now_ds) >= deadline )); then
            mfo_error "timed out after ${timeout}s waiting for socket $path"
            return 1
        fi
        sleep 0.1
    done
}

# mfo_http_status URL: print the HTTP status (000 when nothing answers).
# https URLs are verified against MFO_CURL_CA (a CA file) when set: the
# stack's test CA, never "insecure".
mfo_http_status() {
    local -a ca=()
    [[ -n "${MFO_CURL_CA:-}" ]] && ca=(--cacert "$MFO_CURL_CA")
    curl -s "${ca[@]}" -o /dev/null -w '%{http_code}' --max-time 2 -- "$1" 2>/dev/null || true
}

# mfo_wait_http URL TIMEOUT_S [PID]: wait until URL answers with a status
# below 500 (nginx says 502 while the app is not there yet).
mfo_wait_http() {
    local url=$1 timeout=$2 pid=${3:-} code=000
    local deadline=$(( $(mfo_now_ds) + timeout * 10 ))
    while true; do
        code=$(mfo_http_status "$url")
        if [[ "$code" =~ ^[1-4][0-9][0-9]$ ]]; then
            return 0
        fi
        if [[ -n "$pid" ]] && ! mfo_pid_running "$pid"; then
            mfo_error "process $pid exited while waiting for $url"
            return 1
        fi
        if (( $(mfo_now_ds) >= deadline )); then
            mfo_error "timed out after ${timeout}s waiting for $url (last status $code)"
            return 1
        fi
        sleep 0.1
    done
}

# mfo_port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
mfo_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# mfo_free_port: print a TCP port free on 127.0.0.1 (asked from the kernel).
mfo_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
        return
    fi
    local port i
    for (( i = 0; i < 100; i++ )); do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! mfo_port_in_use "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    mfo_die "no free port found"
}

# mfo_check_socket_path PATH: unix socket paths are limited to 107 bytes.
mfo_check_socket_path() {
    (( ${#1} <= 107 )) \
        || mfo_die "socket path too long for a unix socket (${#1} > 107 bytes): $1 (use a shorter checkout path)"
}

# ---------------------------------------------------------------------------
# Files

# mfo_random_secret_file FILE KIND: create FILE (mode 0600) with a random
# secret unless it exists. KIND: hex (48 hex chars) or base64 (48 bytes).
mfo_random_secret_file() {
    local file=$1 kind=$2 value
    [[ -s "$file" ]] && return 0
    case "$kind" in
        hex) value=$(openssl rand -hex 24) ;;
        base64) value=$(openssl rand -base64 48 | tr -d '\n') ;;
        *) mfo_die "mfo_random_secret_file: unknown kind $kind" ;;
    esac
    [[ -n "$value" ]] || mfo_die "openssl rand failed"
    (umask 077 && printf '%s\n' "$value" >"$file.tmp") && mv -f "$file.tmp" "$file"
    chmod 0600 "$file"
}

# mfo_ini_set FILE SECTION KEY VALUE: set KEY in [SECTION] of an INI file
# (replacing the first uncommented KEY line there, or adding it).
mfo_ini_set() {
    local file=$1
    MFO_INI_SEC=$2 MFO_INI_KEY=$3 MFO_INI_VAL=$4 awk '
        BEGIN { sec = ENVIRON["MFO_INI_SEC"]; key = ENVIRON["MFO_INI_KEY"]; val = ENVIRON["MFO_INI_VAL"] }
        function emit() { print key " = " val; done = 1 }
        /^[ \t]*\[[^]]*\][ \t]*$/ {
            if (insec && !done) emit()
            name = $0; gsub(/^[ \t]*\[|\][ \t]*$/, "", name)
            insec = (name == sec)
            print; next
        }
        insec && !done {
            line = $0; sub(/^[ \t]+/, "", line)
            if (index(line, key) == 1) {
                rest = substr(line, length(key) + 1)
                if (rest ~ /^[ \t]*=/) { emit(); next }
            }
        }
        { print }
        END { if (!done) { if (!insec) print "[" sec "]"; emit() } }
    ' "$file" >"$file.tmp" && mv -f "$file.tmp" "$file"
}

# mfo_render TEMPLATE OUT NAME=VALUE...: replace @NAME@ by VALUE; fail when a
# @PLACEHOLDER@ is left.
mfo_render() {
    local template=$1 out=$2 kv name value text left
    shift 2
    [[ -f "$template" ]] || mfo_die "template $template is missing"
    text=$(<"$template")
    for kv in "$@"; do
        name=${kv%%=*}
        value=${kv#*=}
        text=${text//"@$name@"/"$value"}
    done
    left=$(grep -o '@[A-Z_][A-Z0-9_]*@' <<<"$text" | sort -u | tr '\n' ' ' || true)
    [[ -z "$left" ]] || mfo_die "$template: placeholders left unset: $left"
    printf '%s\n' "$text" >"$out"
}

# mfo_usage SCRIPT: print the comment block at the top of SCRIPT (its help).
mfo_usage() {
    awk 'NR == 1 { next } /^#/ { if ($0 ~ /^# shellcheck /) next; sub(/^# ?/, ""); print; next } { exit }' "$1"
}
