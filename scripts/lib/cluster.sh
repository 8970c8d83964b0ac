# shellcheck shell=bash
# The loopback scale-out cluster of scripts/cluster (sourced, not run):
# three MariaDB Galera nodes, two mfo-fcgi pools and one nginx balancing over
# them, all on 127.0.0.1 and all under one directory DIR.
#
# Layout of DIR (default var/cluster):
#   DIR/nodes/nodeN/   my.cnf, data/, tmp/, mysqld.sock, error.log (owned by
#                      the server's user, mysql when run as root)
#   DIR/poolN/mfo.conf the pool's config (conf/mfo.conf with mfo_ini_set)
#   DIR/run/           pool sockets, pid files, nginx.conf, nginx temp dirs
#   DIR/log/           poolN.log, nodeN.out, nginx-*.log
#   DIR/secrets/       db passwords and the secret key, shared by both pools
# When the server's user (mysql) cannot traverse DIR (a checkout under /root,
# mode 0700), DIR/nodes is a link to /var/tmp/mfo-cluster-HASH; when www-data
# (nginx's workers) cannot, DIR/run is a link to /run/mfo-cluster-HASH, as
# scripts/lib/stack.sh does. HASH comes from DIR's path, so two clusters in
# two dirs never share anything.
#
# Ports, from the base B (MFO_CLUSTER_BASE_PORT, default 13300):
#   node N (1..3): client B+N, gcomm B+10+N, IST B+20+N, SST B+30+N
#   nginx: both pools B+40, pool 1 only B+41, pool 2 only B+42
#
# Every server is spawned with fd 9 closed: scripts/cluster holds its
# up/down lock (flock) on fd 9, and a server inheriting it would hold the
# lock for as long as it runs.
#
# Pid files (DIR/run/cluster.<name>.pid) name only what these scripts
# started; a pid is signalled only when /proc/PID says it is still that
# process (its name and, for servers, its --defaults-file / --config).

# shellcheck source=scripts/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

MFO_CLUSTER_NODE_IDS=(1 2 3)
MFO_CLUSTER_POOL_IDS=(1 2)
# The pool's binary (mfo-fcgi-test has the test-only routes).
MFO_CLUSTER_FCGI_BIN=${MFO_CLUSTER_FCGI_BIN:-mfo-fcgi}
# Shorter failure detection, applied at runtime once every node is Synced
# (never in my.cnf: see conf/galera/node.cnf). Halves the commit stall after
# a node is killed (about 6 s to about 3 s on this machine).
MFO_CLUSTER_FAST_EVICT_OPTIONS='evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.install_timeout=PT4S'

# ---------------------------------------------------------------------------
# Layout

# mfo_cluster_layout DIR BASE_PORT BIN_DIR: set the MFO_CLUSTER_* variables
# (nothing is created; mfo_cluster_make_dirs does that).
mfo_cluster_layout() {
    local dir=$1 base=$2
    MFO_CLUSTER_BIN_DIR=$3
    if ! [[ "$base" =~ ^[0-9]+$ ]] || (( base < 1024 || base > 65535 - 42 )); then
        mfo_die "bad base port: $base (MFO_CLUSTER_BASE_PORT: 1024..65493)"
    fi
    MFO_CLUSTER_BASE_PORT=$base
    # Not created here (status or env on a mistyped DIR must not make it).
    MFO_CLUSTER_DIR=$(realpath -m -- "$dir")
    MFO_CLUSTER_HASH=$(printf '%s' "$MFO_CLUSTER_DIR" | sha256sum | cut -c1-12)
    MFO_CLUSTER_LOG_DIR=$MFO_CLUSTER_DIR/log
    MFO_CLUSTER_SECRETS_DIR=$MFO_CLUSTER_DIR/secrets
    MFO_CLUSTER_DB_NAME=${MFO_CLUSTER_DB_NAME:-${MFO_DATABASE_NAME:-mfo}}
    MFO_CLUSTER_PORT=$(( base + 40 ))
    MFO_CLUSTER_CONFIG_TEMPLATE=$MFO_REPO_DIR/conf/mfo.conf

    # The server user: mysql when root (rsync SST fails as root: its rsync
    # daemon drops to nobody), else ourselves.
    if mfo_is_root; then
        MFO_CLUSTER_DB_USER=mysql
        id mysql >/dev/null 2>&1 || MFO_CLUSTER_DB_USER=
    else
        MFO_CLUSTER_DB_USER=$(id -un)
    fi

    # DIR may not exist yet: what it will be made in decides (mkdir -p
    # makes it traversable).
    local probe=$MFO_CLUSTER_DIR
    while [[ ! -e "$probe" && "$probe" != / ]]; do probe=$(dirname "$probe"); done
    MFO_CLUSTER_NODES_DIR=$MFO_CLUSTER_DIR/nodes
    if [[ -L "$MFO_CLUSTER_NODES_DIR" ]]; then
        MFO_CLUSTER_NODES_DIR=$(readlink "$MFO_CLUSTER_NODES_DIR")
    elif [[ ! -e "$MFO_CLUSTER_NODES_DIR" ]] && _mfo_cluster_user_locked_out mysql "$probe"; then
        MFO_CLUSTER_NODES_DIR=/var/tmp/mfo-cluster-$MFO_CLUSTER_HASH
    fi
    MFO_CLUSTER_RUN_DIR=$MFO_CLUSTER_DIR/run
    if [[ -L "$MFO_CLUSTER_RUN_DIR" ]]; then
        MFO_CLUSTER_RUN_DIR=$(readlink "$MFO_CLUSTER_RUN_DIR")
    elif [[ ! -e "$MFO_CLUSTER_RUN_DIR" ]] && _mfo_www_data_locked_out "$probe"; then
        local base_dir=/run
        [[ -d "$base_dir" && -w "$base_dir" ]] || base_dir=/tmp
        MFO_CLUSTER_RUN_DIR=$base_dir/mfo-cluster-$MFO_CLUSTER_HASH
    fi
    # For the stack helpers reused here (static root, nginx user line).
    MFO_STACK_RUN_DIR=$MFO_CLUSTER_RUN_DIR
    MFO_STACK_LOG_DIR=$MFO_CLUSTER_LOG_DIR
}

# _mfo_cluster_user_locked_out USER DIR: we are root and USER exists but
# cannot traverse DIR.
_mfo_cluster_user_locked_out() {
    mfo_is_root || return 1
    id "$1" >/dev/null 2>&1 || return 1
    command -v runuser >/dev/null 2>&1 || return 1
    ! runuser -u "$1" -- test -x "$2" 2>/dev/null
}

# mfo_cluster_make_dirs: create the layout (links to the outside dirs too).
mfo_cluster_make_dirs() {
    local d
    mkdir -p "$MFO_CLUSTER_DIR"
    mkdir -p "$MFO_CLUSTER_LOG_DIR" "$MFO_CLUSTER_SECRETS_DIR" "$MFO_CLUSTER_RUN_DIR" \
        "$MFO_CLUSTER_NODES_DIR"
    chmod 0700 "$MFO_CLUSTER_SECRETS_DIR"
    for d in nodes run; do
        local target=$MFO_CLUSTER_NODES_DIR
        [[ "$d" == run ]] && target=$MFO_CLUSTER_RUN_DIR
        if [[ "$target" != "$MFO_CLUSTER_DIR/$d" ]]; then
            # /var/tmp and /tmp are writable by anyone: the name is
            # predictable, so only a real directory of ours will do.
            if [[ -L "$target" || "$(stat -c %u "$target")" != "$(id -u)" ]]; then
                mfo_die "$target is a link or not ours: remove it (it should be scripts/cluster's own directory)"
            fi
            chmod 0755 "$target"
            ln -sfn "$target" "$MFO_CLUSTER_DIR/$d"
        fi
    done
    mkdir -p "$MFO_CLUSTER_RUN_DIR/nginx-tmp"
    for d in "${MFO_CLUSTER_POOL_IDS[@]}"; do
        mkdir -p "$MFO_CLUSTER_DIR/pool$d"
    done
}

mfo_cluster_pidfile() { printf '%s/cluster.%s.pid\n' "$MFO_CLUSTER_RUN_DIR" "$1"; }

# Node N's ports and files.
mfo_cluster_node_port() { printf '%s\n' $(( MFO_CLUSTER_BASE_PORT + $1 )); }
mfo_cluster_gcomm_port() { printf '%s\n' $(( MFO_CLUSTER_BASE_PORT + 10 + $1 )); }
mfo_cluster_ist_port() { printf '%s\n' $(( MFO_CLUSTER_BASE_PORT + 20 + $1 )); }
mfo_cluster_sst_port() { printf '%s\n' $(( MFO_CLUSTER_BASE_PORT + 30 + $1 )); }
mfo_cluster_node_dir() { printf '%s/node%s\n' "$MFO_CLUSTER_NODES_DIR" "$1"; }
mfo_cluster_node_cnf() { printf '%s/node%s/my.cnf\n' "$MFO_CLUSTER_NODES_DIR" "$1"; }
mfo_cluster_node_socket() { printf '%s/node%s/mysqld.sock\n' "$MFO_CLUSTER_NODES_DIR" "$1"; }
mfo_cluster_node_log() { printf '%s/node%s/error.log\n' "$MFO_CLUSTER_NODES_DIR" "$1"; }

# Pool N's port (nginx, pinned to it), config, socket.
mfo_cluster_pool_port() { printf '%s\n' $(( MFO_CLUSTER_BASE_PORT + 40 + $1 )); }
mfo_cluster_pool_config() { printf '%s/pool%s/mfo.conf\n' "$MFO_CLUSTER_DIR" "$1"; }
mfo_cluster_pool_socket() { printf '%s/pool%s.sock\n' "$MFO_CLUSTER_RUN_DIR" "$1"; }

# mfo_cluster_all_ports: every port the cluster listens on.
mfo_cluster_all_ports() {
    local n
    for n in "${MFO_CLUSTER_NODE_IDS[@]}"; do
        mfo_cluster_node_port "$n"
        mfo_cluster_gcomm_port "$n"
        mfo_cluster_ist_port "$n"
        mfo_cluster_sst_port "$n"
    done
    printf '%s\n' "$MFO_CLUSTER_PORT"
    for n in "${MFO_CLUSTER_POOL_IDS[@]}"; do
        mfo_cluster_pool_port "$n"
    done
}

# ---------------------------------------------------------------------------
# Processes: what runs, by our pid files and /proc

# _mfo_cluster_cmdline_has PID TEXT: PID's command line contains TEXT.
_mfo_cluster_cmdline_has() {
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ " $cmdline " == *" $2 "* ]]
}

# mfo_cluster_node_pid N: print the pid of node N's mariadbd when it runs
# (from our pid file, checked against /proc: name and --defaults-file).
mfo_cluster_node_pid() {
    local pidfile pid
    pidfile=$(mfo_cluster_pidfile "node$1")
    [[ -f "$pidfile" ]] || return 1
    pid=$(head -n1 "$pidfile" 2>/dev/null || true)
    mfo_pid_is "$pid" mariadbd || return 1
    _mfo_cluster_cmdline_has "$pid" "--defaults-file=$(mfo_cluster_node_cnf "$1")" || return 1
    printf '%s\n' "$pid"
}

# mfo_cluster_pool_pid N: the pid of pool N's supervisor when it runs.
mfo_cluster_pool_pid() {
    local pidfile pid
    pidfile=$(mfo_cluster_pidfile "pool$1")
    [[ -f "$pidfile" ]] || return 1
    pid=$(head -n1 "$pidfile" 2>/dev/null || true)
    mfo_pid_is "$pid" "$MFO_CLUSTER_FCGI_BIN" || return 1
    _mfo_cluster_cmdline_has "$pid" "$(mfo_cluster_pool_config "$1")" || return 1
    printf '%s\n' "$pid"
}

# mfo_cluster_nginx_pid: the pid of the cluster's nginx master when it runs.
mfo_cluster_nginx_pid() {
    local pidfile pid
    pidfile=$(mfo_cluster_pidfile nginx)
    [[ -f "$pidfile" ]] || return 1
    pid=$(head -n1 "$pidfile" 2>/dev/null || true)
    mfo_pid_is "$pid" nginx || return 1
    _mfo_cluster_cmdline_has "$pid" "$MFO_CLUSTER_RUN_DIR/nginx.conf" || return 1
    printf '%s\n' "$pid"
}

# mfo_cluster_running: print "name pid" of each live process of the
# cluster; true if any.
mfo_cluster_running() {
    local n pid any=1
    for n in "${MFO_CLUSTER_NODE_IDS[@]}"; do
        if pid=$(mfo_cluster_node_pid "$n"); then
            printf 'node%s %s\n' "$n" "$pid"
            any=0
        fi
    done
    for n in "${MFO_CLUSTER_POOL_IDS[@]}"; do
        if pid=$(mfo_cluster_pool_pid "$n"); then
            printf 'pool%s %s\n' "$n" "$pid"
            any=0
        fi
    done
    if pid=$(mfo_cluster_nginx_pid); then
        printf 'nginx %s\n' "$pid"
        any=0
    fi
    return "$any"
}

# _mfo_cluster_stop NAME PIDFILE TIMEOUT: mfo_stop_pidfile, after making
# sure the pid file still names our process (else it is only removed).
_mfo_cluster_stop() {
    local name=$1 pidfile=$2 timeout=$3 check=$4
    shift 4
    [[ -f "$pidfile" ]] || return 0
    if ! "$check" "$@" >/dev/null; then
        rm -f "$pidfile"
        return 0
    fi
    mfo_stop_pidfile "$name" "$pidfile" "$timeout"
}

# ---------------------------------------------------------------------------
# Galera nodes

# mfo_cluster_sql N [MARIADB_ARGS...]: the mariadb client on node N as the
# socket-authenticated superuser (root when run as root).
mfo_cluster_sql() {
    local n=$1
    shift
    mariadb --no-defaults --protocol=socket --socket="$(mfo_cluster_node_socket "$n")" \
        --user="$(id -un)" --connect-timeout=3 "$@"
}

# mfo_cluster_node_wsrep N: print "state size status ready" of node N
# (wsrep_local_state_comment, wsrep_cluster_size, wsrep_cluster_status,
# wsrep_ready); fails when the node does not answer within 5 s.
mfo_cluster_node_wsrep() {
    local out
    out=$(timeout 5 mariadb --no-defaults --protocol=socket --socket="$(mfo_cluster_node_socket "$1")" \
        --user="$(id -un)" --connect-timeout=2 --batch --skip-column-names \
        -e "SHOW GLOBAL STATUS WHERE Variable_name IN
            ('wsrep_local_state_comment','wsrep_cluster_size','wsrep_cluster_status','wsrep_ready')" \
        2>/dev/null) || return 1
    awk -F'\t' '{ v[tolower($1)] = $2 }
        END { printf "%s %s %s %s\n", (v["wsrep_local_state_comment"] == "" ? "?" : v["wsrep_local_state_comment"]),
              (v["wsrep_cluster_size"] == "" ? 0 : v["wsrep_cluster_size"]),
              (v["wsrep_cluster_status"] == "" ? "?" : v["wsrep_cluster_status"]),
              (v["wsrep_ready"] == "" ? "?" : v["wsrep_ready"]) }' <<<"$out"
}

# mfo_cluster_node_synced N: Synced, Primary and wsrep_ready.
mfo_cluster_node_synced() {
    local state size status ready
    read -r state size status ready < <(mfo_cluster_node_wsrep "$1") || return 1
    [[ "$state" == Synced && "$status" == Primary && "$ready" == ON ]]
}

# _mfo_cluster_synced_or_gone N PID: for mfo_poll: true once node N is
# synced, or once PID is gone (the caller tells the two apart).
_mfo_cluster_synced_or_gone() {
    mfo_pid_running "$2" || return 0
    mfo_cluster_node_synced "$1"
}

# mfo_cluster_write_node_cnf N: (re)write node N's my.cnf from
# conf/galera/node.cnf and create its directories, owned by the server user.
mfo_cluster_write_node_cnf() {
    local n=$1 dir addr="gcomm://" m sep=""
    dir=$(mfo_cluster_node_dir "$n")
    for m in "${MFO_CLUSTER_NODE_IDS[@]}"; do
        addr+="${sep}127.0.0.1:$(mfo_cluster_gcomm_port "$m")"
        sep=,
    done
    mkdir -p "$dir/data" "$dir/tmp"
    mfo_check_socket_path "$(mfo_cluster_node_socket "$n")"
    mfo_render "$MFO_REPO_DIR/conf/galera/node.cnf" "$dir/my.cnf" \
        "NODE_DIR=$dir" \
        "NODE_NAME=node$n" \
        "PORT=$(mfo_cluster_node_port "$n")" \
        "CLUSTER_NAME=mfo-$MFO_CLUSTER_HASH" \
        "CLUSTER_ADDRESS=$addr" \
        "GCOMM_PORT=$(mfo_cluster_gcomm_port "$n")" \
        "IST_PORT=$(mfo_cluster_ist_port "$n")" \
        "SST_PORT=$(mfo_cluster_sst_port "$n")"
    chmod 0644 "$dir/my.cnf"
    touch "$dir/error.log"
    if mfo_is_root; then
        chown -R "$MFO_CLUSTER_DB_USER:" "$dir"
    fi
    ln -sfn "$dir/error.log" "$MFO_CLUSTER_LOG_DIR/node$n.log"
}

# mfo_cluster_node_init N: the system tables of node N (the first node only:
# the others get everything by SST).
mfo_cluster_node_init() {
    local n=$1 log
    log=$MFO_CLUSTER_LOG_DIR/node$n-install.log
    mfo_log "initialising node $n's datadir (mariadb-install-db)"
    # --defaults-file first, or /etc/mysql (with its galera.cnf) is read too.
    if ! mariadb-install-db --defaults-file="$(mfo_cluster_node_cnf "$n")" \
        --user="$MFO_CLUSTER_DB_USER" --skip-test-db --force --skip-name-resolve \
        --auth-root-authentication-method=socket >"$log" 2>&1; then
        mfo_tail_log "$log"
        mfo_die "mariadb-install-db failed for node $n"
    fi
}

# mfo_cluster_node_spawn N [MARIADBD_ARGS...]: start node N's mariadbd in
# the background (does not wait).
mfo_cluster_node_spawn() {
    local n=$1 mariadbd socket
    shift
    mariadbd=$(command -v mariadbd 2>/dev/null || printf '/usr/sbin/mariadbd')
    socket=$(mfo_cluster_node_socket "$n")
    # A socket left by a killed server would make the client's errors
    # confusing while the new one starts; nothing listens on it.
    rm -f "$socket"
    MFO_SPAWN_CWD=$MFO_CLUSTER_DIR mfo_spawn "$(mfo_cluster_pidfile "node$n")" \
        "$MFO_CLUSTER_LOG_DIR/node$n.out" \
        "$mariadbd" --defaults-file="$(mfo_cluster_node_cnf "$n")" \
        --user="$MFO_CLUSTER_DB_USER" "$@" 9>&-
}

# mfo_cluster_node_wait N PID TIMEOUT_S: wait until node N is Synced;
# fail (with its log) when it exits or the time is up.
mfo_cluster_node_wait() {
    local n=$1 pid=$2 timeout=$3
    mfo_poll "$timeout" _mfo_cluster_synced_or_gone "$n" "$pid" || true
    if ! mfo_pid_running "$pid"; then
        mfo_error "node $n's mariadbd (pid $pid) exited while starting"
        mfo_tail_log "$(mfo_cluster_node_log "$n")" 30
        return 1
    fi
    if ! mfo_cluster_node_synced "$n"; then
        mfo_error "node $n not Synced after ${timeout}s (state: $(mfo_cluster_node_wsrep "$n" || echo 'no answer'))"
        mfo_tail_log "$(mfo_cluster_node_log "$n")" 30
        return 1
    fi
}

# mfo_cluster_fast_evict: the short evs.* timeouts on every running node
# (MFO_CLUSTER_FAST_EVICT=0: keep Galera's defaults). A node started later
# has the defaults until this runs again (start-db does).
mfo_cluster_fast_evict() {
    [[ "${MFO_CLUSTER_FAST_EVICT:-1}" == 1 ]] || return 0
    local n
    for n in "${MFO_CLUSTER_NODE_IDS[@]}"; do
        # A node still joining gets them when its own start finishes.
        mfo_cluster_node_pid "$n" >/dev/null || continue
        mfo_cluster_node_synced "$n" || continue
        mfo_cluster_sql "$n" -e "SET GLOBAL wsrep_provider_options='$MFO_CLUSTER_FAST_EVICT_OPTIONS'" \
            || mfo_warn "node $n: could not set the short evs timeouts"
    done
}

# mfo_cluster_node_stop N: SIGTERM, 30 s, then SIGKILL.
mfo_cluster_node_stop() {
    _mfo_cluster_stop mariadbd "$(mfo_cluster_pidfile "node$1")" 30 mfo_cluster_node_pid "$1"
}

# mfo_cluster_node_kill N: kill -9 node N's mariadbd (and whatever of its
# session is left: a running SST's rsync).
mfo_cluster_node_kill() {
    local n=$1 pid
    pid=$(mfo_cluster_node_pid "$n") || mfo_die "node $n is not running (no live mariadbd of ours)"
    mfo_log "kill -9 node $n (mariadbd pid $pid)"
    kill -KILL "$pid"
    kill -KILL -- "-$pid" 2>/dev/null || true
    mfo_poll 10 _mfo_not_running "$pid" || mfo_die "node $n (pid $pid) still runs after SIGKILL"
}

# _mfo_cluster_peers_evicted N: every running node other than N reports a
# cluster size no bigger than the number of running nodes (so N's old
# incarnation is gone from their view).
_mfo_cluster_peers_evicted() {
    local n=$1 m state size status ready running=0
    local -a peers=()
    for m in "${MFO_CLUSTER_NODE_IDS[@]}"; do
        [[ "$m" == "$n" ]] && continue
        mfo_cluster_node_pid "$m" >/dev/null || continue
        peers+=("$m")
        running=$(( running + 1 ))
    done
    for m in "${peers[@]}"; do
        read -r state size status ready < <(mfo_cluster_node_wsrep "$m") || return 1
        (( size <= running )) || return 1
    done
}

# mfo_cluster_primary_peer N: print a running node other than N that is
# Primary; fail when there is none.
mfo_cluster_primary_peer() {
    local n=$1 m state size status ready
    for m in "${MFO_CLUSTER_NODE_IDS[@]}"; do
        [[ "$m" == "$n" ]] && continue
        mfo_cluster_node_pid "$m" >/dev/null || continue
        read -r state size status ready < <(mfo_cluster_node_wsrep "$m") || continue
        if [[ "$status" == Primary ]]; then
            printf '%s\n' "$m"
            return 0
        fi
    done
    return 1
}

# mfo_cluster_recover_position N: print uuid:seqno recovered from node N's
# InnoDB (mariadbd --wsrep-recover), or nothing when it finds none.
mfo_cluster_recover_position() {
    local n=$1 log pos
    log=$(mfo_cluster_node_dir "$n")/tmp/wsrep-recover.log
    rm -f "$log"
    touch "$log"
    # The server drops to its user before writing the log: a root-owned file
    # silently loses the position.
    mfo_is_root && chown "$MFO_CLUSTER_DB_USER:" "$log"
    timeout 120 "$(command -v mariadbd 2>/dev/null || printf '/usr/sbin/mariadbd')" \
        --defaults-file="$(mfo_cluster_node_cnf "$n")" --user="$MFO_CLUSTER_DB_USER" \
        --wsrep-recover --log-error="$log" >/dev/null 2>&1 || true
    pos=$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:-\{0,1\}[0-9]*\).*/\1/p' "$log" | tail -n1)
    if [[ -z "$pos" || "$pos" == *:-1 || "$pos" == 00000000-0000-0000-0000-000000000000:* ]]; then
        mfo_warn "node $n: no position recovered (see $log): it will need a full SST"
        return 0
    fi
    printf '%s\n' "$pos"
}

# mfo_cluster_grastate_seqno N: the seqno in node N's grastate.dat (-1 after
# a crash; empty when there is none).
mfo_cluster_grastate_seqno() {
    local f
    f=$(mfo_cluster_node_dir "$1")/data/grastate.dat
    [[ -f "$f" ]] || return 0
    sed -n 's/^seqno: *//p' "$f" | head -n1
}

# mfo_cluster_transfer_kind LOGFILE OFFSET: IST or SST, from what a joiner
# logged after byte OFFSET of its error log. With rsync both go through the
# SST script (and both log "SST received"); the script says which it did
# ("rsync IST completed on joiner"), and a joiner with no state of its own
# ("Local state: 00000000-...:-1") can only have had a full SST.
mfo_cluster_transfer_kind() {
    local text
    text=$(tail -c +"$(( $2 + 1 ))" "$1" 2>/dev/null || true)
    if grep -q 'rsync IST completed on joiner' <<<"$text"; then
        printf 'IST\n'
    elif grep -q 'rsync SST completed on joiner' <<<"$text"; then
        printf 'SST\n'
    elif grep -q 'Local state: 00000000-0000-0000-0000-000000000000:-1' <<<"$text"; then
        printf 'SST\n'
    elif grep -q 'Receiving IST: [0-9]* writesets\|IST received' <<<"$text"; then
        printf 'IST\n'
    else
        printf 'no state transfer\n'
    fi
}

# mfo_cluster_node_rejoin N [sst]: start node N again into the running
# cluster (the recipe of the Galera spike): wait until the peers dropped its
# old incarnation, delete a stale gvwstate.dat, recover the position after a
# crash so it gets IST, start, wait Synced. Reports IST/SST and the time.
# With "sst" its datadir is emptied first (a lost disk): a full SST.
mfo_cluster_node_rejoin() {
    local n=$1 force_sst=${2:-} t0 t1 t2 peer seqno pos log offset pid kind
    local -a args=()
    t0=$(mfo_now_ds)
    if pid=$(mfo_cluster_node_pid "$n"); then
        if mfo_cluster_node_synced "$n"; then
            mfo_log "node $n already runs (pid $pid) and is Synced"
            return 0
        fi
        mfo_die "node $n already runs (pid $pid) but is not Synced: wait, or kill-db $n first"
    fi
    [[ -f "$(mfo_cluster_node_cnf "$n")" ]] \
        || mfo_die "node $n has no my.cnf: the cluster was never up in $MFO_CLUSTER_DIR (scripts/cluster up)"
    peer=$(mfo_cluster_primary_peer "$n") || mfo_die "no running node is part of a Primary component: \
node $n has nothing to join. If one node still runs (non-Primary after losing quorum), make it Primary \
(scripts/cluster sql M -e \"SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'\") and start-db again; \
if none runs, scripts/cluster down && scripts/cluster up starts a fresh cluster"
    if ! mfo_poll 30 _mfo_cluster_peers_evicted "$n"; then
        mfo_warn "the peers of node $n still count its old incarnation after 30s: starting anyway"
    fi
    t1=$(mfo_now_ds)
    if [[ "$force_sst" == sst ]]; then
        mfo_log "node $n: emptying its datadir (it will take a full SST)"
        rm -rf -- "$(mfo_cluster_node_dir "$n")/data"
    elif [[ ! -d "$(mfo_cluster_node_dir "$n")/data/mysql" ]]; then
        mfo_warn "node $n has no datadir: it will take a full SST"
    fi
    # An old view in gvwstate.dat slows admission by 10-20 s.
    rm -f "$(mfo_cluster_node_dir "$n")/data/gvwstate.dat"
    seqno=$(mfo_cluster_grastate_seqno "$n")
    if [[ "$seqno" == -1 ]]; then
        mfo_log "node $n stopped uncleanly (grastate seqno -1): recovering its position (--wsrep-recover)"
        pos=$(mfo_cluster_recover_position "$n")
        if [[ -n "$pos" ]]; then
            mfo_log "node $n: recovered position $pos"
            args+=("--wsrep_start_position=$pos")
        fi
    fi
    mfo_cluster_write_node_cnf "$n"
    local t_spawn
    t_spawn=$(mfo_now_ds)
    log=$(mfo_cluster_node_log "$n")
    offset=$(stat -c %s "$log" 2>/dev/null || echo 0)
    mfo_log "starting node $n (joining through node $peer)"
    mfo_cluster_node_spawn "$n" "${args[@]}"
    pid=$MFO_SPAWNED_PID
    mfo_cluster_node_wait "$n" "$pid" 180 || return 1
    t2=$(mfo_now_ds)
    kind=$(mfo_cluster_transfer_kind "$log" "$offset")
    mfo_cluster_fast_evict
    local size
    size=$(mfo_cluster_node_wsrep "$n" | awk '{ print $2 }')
    local before
    before="$(_mfo_cluster_secs $(( t1 - t0 )))s waiting for its eviction"
    if [[ "$seqno" == -1 ]]; then
        before+=" and $(_mfo_cluster_secs $(( t_spawn - t1 )))s recovering its position"
    fi
    mfo_log "node $n Synced (pid $pid) by $kind in $(_mfo_cluster_secs $(( t2 - t_spawn )))s" \
        "(before that $before); cluster size $size"
}

# _mfo_cluster_secs DS: deciseconds as seconds with one decimal.
_mfo_cluster_secs() { printf '%d.%d\n' $(( $1 / 10 )) $(( $1 % 10 )); }

# ---------------------------------------------------------------------------
# Accounts and the pools' configs

# mfo_cluster_bootstrap_accounts N: on node N (replicated to the others):
# the database and the two accounts, for 'localhost' and '127.0.0.1' (the
# pools connect over TCP), passwords from DIR/secrets (made once, through
# stdin, never the command line), plus the secret key both pools share (a
# cookie signed by one must verify on the other).
mfo_cluster_bootstrap_accounts() {
    local n=$1 secrets=$MFO_CLUSTER_SECRETS_DIR dbname=$MFO_CLUSTER_DB_NAME
    local app_user=${MFO_DATABASE_USER:-mfo_app}
    local admin_user=${MFO_DATABASE_ADMIN_USER:-mfo_admin}
    local name host app_pw admin_pw sql=""
    for name in "$dbname" "$app_user" "$admin_user"; do
        _mfo_sql_ident_ok "$name" || mfo_die "refusing database/user name '$name' (letters, digits, _ only)"
    done
    mfo_random_secret_file "$secrets/db_app_password" hex
    mfo_random_secret_file "$secrets/db_admin_password" hex
    mfo_random_secret_file "$secrets/secret_key" base64
    app_pw=$(_mfo_sql_string "$(head -n1 "$secrets/db_app_password")")
    admin_pw=$(_mfo_sql_string "$(head -n1 "$secrets/db_admin_password")")
    sql+="CREATE DATABASE IF NOT EXISTS \`$dbname\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"$'\n'
    for host in localhost 127.0.0.1; do
        sql+="CREATE USER IF NOT EXISTS '$app_user'@'$host' IDENTIFIED BY $app_pw;
ALTER USER '$app_user'@'$host' IDENTIFIED BY $app_pw;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$app_user'@'$host';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$dbname\`.* TO '$app_user'@'$host';
CREATE USER IF NOT EXISTS '$admin_user'@'$host' IDENTIFIED BY $admin_pw;
ALTER USER '$admin_user'@'$host' IDENTIFIED BY $admin_pw;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$admin_user'@'$host';
GRANT ALL PRIVILEGES ON \`$dbname\`.* TO '$admin_user'@'$host';
"
    done
    mfo_log "creating database $dbname and accounts $app_user, $admin_user (localhost, 127.0.0.1)"
    mfo_cluster_sql "$n" --batch <<<"$sql" || mfo_die "could not create the database accounts on node $n"
}

# mfo_cluster_hosts_supported: the pools' config takes [database] hosts (an
# ordered list of nodes to fail over between).
mfo_cluster_hosts_supported() {
    grep -q '{"database", "hosts"}' "$MFO_REPO_DIR/core/config_loader.cpp" 2>/dev/null
}

# mfo_cluster_pool_hosts N: pool N's nodes, the preferred one first: pool 1
# prefers node 1, pool 2 node 2 (then the next ones, wrapping).
mfo_cluster_pool_hosts() {
    local p=$1 i k count=${#MFO_CLUSTER_NODE_IDS[@]} list="" sep=""
    for (( i = 0; i < count; i++ )); do
        k=$(( (p - 1 + i) % count ))
        list+="${sep}127.0.0.1:$(mfo_cluster_node_port "${MFO_CLUSTER_NODE_IDS[$k]}")"
        sep=", "
    done
    printf '%s\n' "$list"
}

# mfo_cluster_write_pool_config N: DIR/poolN/mfo.conf from conf/mfo.conf,
# every path absolute (the file lives outside conf/).
mfo_cluster_write_pool_config() {
    local p=$1 conf group
    conf=$(mfo_cluster_pool_config "$p")
    mkdir -p "$(dirname "$conf")"
    cp -f "$MFO_CLUSTER_CONFIG_TEMPLATE" "$conf"
    # The socket's group: nginx's workers are www-data when we are root
    # (mfo_nginx_user_line), else they run as us.
    group=$(id -gn)
    if mfo_is_root && getent group www-data >/dev/null 2>&1; then
        group=www-data
    fi
    local -a kv=(
        app secret_key ""
        app secret_key_file "$MFO_CLUSTER_SECRETS_DIR/secret_key"
        app templates_dir "$MFO_REPO_DIR/templates"
        app access_rules "$MFO_REPO_DIR/conf/access.conf"
        app roles "$MFO_REPO_DIR/conf/roles.conf"
        server listen "unix:$(mfo_cluster_pool_socket "$p")"
        server socket_group "$group"
        server workers "${MFO_CLUSTER_WORKERS:-2}"
        server pid_file "$MFO_CLUSTER_RUN_DIR/pool$p.supervisor.pid"
        server log_file ""
        database name "$MFO_CLUSTER_DB_NAME"
        database socket ""
        database password ""
        database password_file "$MFO_CLUSTER_SECRETS_DIR/db_app_password"
        database admin_password ""
        database admin_password_file "$MFO_CLUSTER_SECRETS_DIR/db_admin_password"
        database migrations_dir "$MFO_REPO_DIR/sql/migrations"
    )
    if mfo_cluster_hosts_supported; then
        kv+=(database hosts "$(mfo_cluster_pool_hosts "$p")")
    else
        # Before [database] hosts existed: the preferred node only.
        local first
        first=$(mfo_cluster_pool_hosts "$p")
        first=${first%%,*}
        kv+=(database host 127.0.0.1 database port "${first##*:}")
    fi
    local i
    for (( i = 0; i < ${#kv[@]}; i += 3 )); do
        mfo_ini_set "$conf" "${kv[i]}" "${kv[i + 1]}" "${kv[i + 2]}"
    done
    chmod 0644 "$conf"
}

# mfo_cluster_check_pool_config N: mfo-fcgi --check-config on pool N's file.
mfo_cluster_check_pool_config() {
    local conf
    conf=$(mfo_cluster_pool_config "$1")
    (cd "$(dirname "$conf")" && "$MFO_CLUSTER_BIN_DIR/$MFO_CLUSTER_FCGI_BIN" --config "$conf" --check-config) \
        || mfo_die "$conf has errors (mfo-fcgi --check-config)"
}

# ---------------------------------------------------------------------------
# Pools

# mfo_cluster_pool_readyz N: print pool N's /readyz status through its
# pinned nginx port (000: no answer).
mfo_cluster_pool_readyz() {
    mfo_http_status "http://127.0.0.1:$(mfo_cluster_pool_port "$1")/readyz"
}

_mfo_cluster_pool_ready_or_gone() {
    mfo_pid_running "$2" || return 0
    [[ "$(mfo_cluster_pool_readyz "$1")" == 200 ]]
}

# mfo_cluster_pool_wait_ready N PID TIMEOUT_S: /readyz answers 200 on pool
# N's pinned port (needs nginx).
mfo_cluster_pool_wait_ready() {
    local n=$1 pid=$2 timeout=$3
    mfo_poll "$timeout" _mfo_cluster_pool_ready_or_gone "$n" "$pid" || true
    if ! mfo_pid_running "$pid"; then
        mfo_error "pool $n (pid $pid) exited while starting"
        mfo_tail_log "$MFO_CLUSTER_LOG_DIR/pool$n.log" 30
        return 1
    fi
    local code
    code=$(mfo_cluster_pool_readyz "$n")
    if [[ "$code" != 200 ]]; then
        mfo_error "pool $n: /readyz answers $code on 127.0.0.1:$(mfo_cluster_pool_port "$n") after ${timeout}s"
        mfo_tail_log "$MFO_CLUSTER_LOG_DIR/pool$n.log" 30
        return 1
    fi
}

# mfo_cluster_pool_spawn N: start pool N in the background (working
# directory DIR/poolN, so no stray .env is read); does not wait.
mfo_cluster_pool_spawn() {
    local n=$1 socket conf log
    mfo_require_bins "$MFO_CLUSTER_BIN_DIR" "$MFO_CLUSTER_FCGI_BIN"
    socket=$(mfo_cluster_pool_socket "$n")
    conf=$(mfo_cluster_pool_config "$n")
    log=$MFO_CLUSTER_LOG_DIR/pool$n.log
    [[ -f "$conf" ]] || mfo_die "$conf is missing: the cluster was never up in $MFO_CLUSTER_DIR"
    mfo_check_socket_path "$socket"
    # What a killed pool left: nothing listens on it.
    rm -f "$socket"
    mfo_log "starting pool $n (config $conf, log $log)"
    MFO_SPAWN_CWD=$(dirname "$conf") mfo_spawn "$(mfo_cluster_pidfile "pool$n")" "$log" \
        "$MFO_CLUSTER_BIN_DIR/$MFO_CLUSTER_FCGI_BIN" --config "$conf" 9>&-
}

# mfo_cluster_pool_wait_socket N PID: up to 30 s for pool N's socket; stops
# it on failure.
mfo_cluster_pool_wait_socket() {
    local n=$1 pid=$2
    if ! mfo_wait_socket "$(mfo_cluster_pool_socket "$n")" 30 "$pid"; then
        mfo_tail_log "$MFO_CLUSTER_LOG_DIR/pool$n.log"
        mfo_cluster_pool_stop "$n" || true
        return 1
    fi
}

# mfo_cluster_pool_start N: start pool N, wait up to 30 s for its socket
# and then, when nginx runs, for /readyz on its pinned port.
mfo_cluster_pool_start() {
    local n=$1 pid
    if pid=$(mfo_cluster_pool_pid "$n"); then
        mfo_log "pool $n already runs (pid $pid)"
        return 0
    fi
    mfo_cluster_pool_spawn "$n"
    pid=$MFO_SPAWNED_PID
    mfo_cluster_pool_wait_socket "$n" "$pid" || return 1
    if mfo_cluster_nginx_pid >/dev/null; then
        mfo_cluster_pool_wait_ready "$n" "$pid" 30 || return 1
    fi
    mfo_log "pool $n ready (pid $pid, socket $(mfo_cluster_pool_socket "$n"))"
}

# mfo_cluster_pool_stop N: SIGTERM (the pool drains), bounded wait.
mfo_cluster_pool_stop() {
    _mfo_cluster_stop "$MFO_CLUSTER_FCGI_BIN" "$(mfo_cluster_pidfile "pool$1")" 30 mfo_cluster_pool_pid "$1"
}

# mfo_cluster_pool_kill N: kill -9 pool N's supervisor and its workers (its
# process group: mfo_spawn made it a session leader).
mfo_cluster_pool_kill() {
    local n=$1 pid
    pid=$(mfo_cluster_pool_pid "$n") || mfo_die "pool $n is not running (no live $MFO_CLUSTER_FCGI_BIN of ours)"
    mfo_log "kill -9 pool $n (supervisor pid $pid and its workers, process group $pid)"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
    mfo_poll 10 _mfo_group_gone "$pid" || mfo_die "pool $n (group $pid) still runs after SIGKILL"
}

# ---------------------------------------------------------------------------
# nginx

# mfo_cluster_render_nginx: RUN/nginx.conf from conf/nginx/mfo-cluster.conf
# with three server blocks from conf/nginx/mfo.conf (balanced, pool 1, pool
# 2), whose fastcgi_pass names an upstream instead of a socket.
mfo_cluster_render_nginx() {
    local run=$MFO_CLUSTER_RUN_DIR log=$MFO_CLUSTER_LOG_DIR
    local rate=${MFO_CLUSTER_LOGIN_RATE:-50r/s} burst=${MFO_CLUSTER_LOGIN_BURST:-100}
    local static_root user_line p server_includes="" name port upstream
    static_root=$(mfo_stack_static_root)
    for p in "$run" "$log" "$static_root" "$(mfo_cluster_pool_socket 1)" "$(mfo_cluster_pool_socket 2)"; do
        _mfo_nginx_path_ok "$p"
    done
    user_line=$(mfo_nginx_user_line "$static_root")
    mkdir -p "$run/nginx-tmp"
    cp -f /etc/nginx/fastcgi_params "$run/fastcgi_params" \
        || mfo_die "/etc/nginx/fastcgi_params missing (package nginx)"
    # conf/nginx/mfo.conf passes to "unix:@FCGI_SOCKET@": here, an upstream.
    sed 's|fastcgi_pass unix:@FCGI_SOCKET@;|fastcgi_pass @FCGI_PASS@;|' \
        "$MFO_REPO_DIR/conf/nginx/mfo.conf" >"$run/nginx-server.conf.in"
    grep -q 'fastcgi_pass @FCGI_PASS@;' "$run/nginx-server.conf.in" \
        || mfo_die "conf/nginx/mfo.conf has no 'fastcgi_pass unix:@FCGI_SOCKET@;' to point at the pools"
    for name in balanced pool1 pool2; do
        case "$name" in
            balanced) port=$MFO_CLUSTER_PORT upstream=mfo_pools ;;
            pool1) port=$(mfo_cluster_pool_port 1) upstream=mfo_pool1 ;;
            pool2) port=$(mfo_cluster_pool_port 2) upstream=mfo_pool2 ;;
        esac
        mfo_render "$run/nginx-server.conf.in" "$run/nginx-$name.conf" \
            "LISTEN=127.0.0.1:$port" \
            "SERVER_NAME=localhost 127.0.0.1" \
            "STATIC_ROOT=$static_root" \
            "FCGI_SOCKET=(an upstream)" \
            "FCGI_PASS=$upstream" \
            "LOGIN_RATE=$rate" \
            "LOGIN_BURST=$burst"
        if grep 'fastcgi_pass ' "$run/nginx-$name.conf" | grep -qv "fastcgi_pass $upstream;"; then
            mfo_die "$run/nginx-$name.conf: a fastcgi_pass does not go to $upstream"
        fi
        server_includes+="    include $run/nginx-$name.conf;"$'\n'
    done
    rm -f "$run/nginx-server.conf.in"
    mfo_render "$MFO_REPO_DIR/conf/nginx/mfo-cluster.conf" "$run/nginx.conf" \
        "USER_LINE=$user_line" \
        "RUN_DIR=$run" \
        "LOG_DIR=$log" \
        "LOGIN_RATE=$rate" \
        "POOL1_SOCKET=$(mfo_cluster_pool_socket 1)" \
        "POOL2_SOCKET=$(mfo_cluster_pool_socket 2)" \
        "PORT_BALANCED=$MFO_CLUSTER_PORT" \
        "PORT_POOL1=$(mfo_cluster_pool_port 1)" \
        "PORT_POOL2=$(mfo_cluster_pool_port 2)" \
        "SERVER_CONFS=$server_includes"
}

# mfo_cluster_start_nginx: check the config, start nginx, wait up to 30 s
# for /healthz on its three ports.
mfo_cluster_start_nginx() {
    local nginx pid
    local -a args
    if pid=$(mfo_cluster_nginx_pid); then
        mfo_log "nginx already runs (pid $pid)"
        return 0
    fi
    nginx=$(mfo_nginx_bin)
    args=(-p "$MFO_CLUSTER_RUN_DIR/" -c "$MFO_CLUSTER_RUN_DIR/nginx.conf"
        -e "$MFO_CLUSTER_LOG_DIR/nginx-error.log")
    if ! "$nginx" -t -q "${args[@]}" 2>"$MFO_CLUSTER_LOG_DIR/nginx-check.log"; then
        cat "$MFO_CLUSTER_LOG_DIR/nginx-check.log" >&2
        mfo_die "nginx rejected $MFO_CLUSTER_RUN_DIR/nginx.conf"
    fi
    mfo_log "starting nginx on 127.0.0.1:$MFO_CLUSTER_PORT (both pools)," \
        "$(mfo_cluster_pool_port 1) (pool 1), $(mfo_cluster_pool_port 2) (pool 2)"
    mfo_rotate_big_log "$MFO_CLUSTER_LOG_DIR/nginx-access.log"
    mfo_spawn "$(mfo_cluster_pidfile nginx)" "$MFO_CLUSTER_LOG_DIR/nginx.out" "$nginx" "${args[@]}" 9>&-
    pid=$MFO_SPAWNED_PID
    local port
    for port in "$MFO_CLUSTER_PORT" "$(mfo_cluster_pool_port 1)" "$(mfo_cluster_pool_port 2)"; do
        if ! mfo_wait_http "http://127.0.0.1:$port/healthz" 30 "$pid"; then
            mfo_tail_log "$MFO_CLUSTER_LOG_DIR/nginx.out"
            mfo_tail_log "$MFO_CLUSTER_LOG_DIR/nginx-error.log"
            return 1
        fi
    done
    mfo_log "nginx ready (pid $pid)"
}

mfo_cluster_stop_nginx() {
    _mfo_cluster_stop nginx "$(mfo_cluster_pidfile nginx)" 15 mfo_cluster_nginx_pid
}

# ---------------------------------------------------------------------------
# Whole cluster

# mfo_cluster_stop_all: nginx, the pools, then nodes 3, 2, 1 (node 1 last,
# so it ends with safe_to_bootstrap: 1).
mfo_cluster_stop_all() {
    local rc=0 n
    mfo_cluster_stop_nginx || rc=1
    for n in "${MFO_CLUSTER_POOL_IDS[@]}"; do
        mfo_cluster_pool_stop "$n" || rc=1
    done
    for n in 3 2 1; do
        mfo_cluster_node_stop "$n" || rc=1
    done
    return "$rc"
}

# mfo_cluster_pool_status_pid URL: the supervisor_pid of the pool answering
# GET URL/status (empty when none answers).
mfo_cluster_pool_status_pid() {
    curl -s --max-time 3 -- "$1/status" 2>/dev/null \
        | sed -n 's/.*"supervisor_pid": *\([0-9][0-9]*\).*/\1/p' | head -n1 || true
}
