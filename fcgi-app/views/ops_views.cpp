// Operations endpoints: /healthz and /readyz for load balancers, /status for
// monitoring (JSON, or Prometheus text with ?format=prometheus). Who may call
// them is access.conf's business (the shipped file: health checks public,
// /status from loopback only).

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <ctime>
#include <memory>

#include "http/http_error.hpp"
#include "ops/pool_stats.hpp"
#include "ops/status_report.hpp"
#include "views/views.hpp"

namespace mfo {

namespace {

Response plain(int status, std::string body,
               std::string content_type = "text/plain; charset=utf-8") {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.no_store = true;
    r.body = std::move(body);
    return r;
}

bool draining() {
    const WorkerEntry* own = own_worker_entry();
    return own && own->state.load() == static_cast<int>(WorkerStage::draining);
}

}  // namespace

// The pool answers: no database, no session.
Response healthz(RequestContext&) {
    return plain(200, "ok\n");
}

// The database answers (one round trip on this thread's connection, within
// the connect and read timeouts; two on a Galera node) and this worker is not
// draining. A Galera node that lost quorum still answers `SELECT 1` but fails
// every table access (1047): it counts as down, and the connection moves to
// the next of `[database] hosts`, so the answer is about the pool, not the node.
Response readyz(RequestContext& ctx) {
    if (draining()) return plain(503, "draining\n");
    try {
        ctx.db.read([&](Database& db) {
            const GaleraNodeState node = read_galera_node_state(db.connection());
            if (!node.usable()) {
                const std::string why = db.endpoint() + ": " + node.describe();
                db.mark_endpoint_down(why);
                throw DbUnavailable("database node not usable: " + why);
            }
        });
    } catch (const DbUnavailable&) {
        return plain(503, "database: unavailable\n");
    } catch (const sql::SQLException&) {
        return plain(503, "database: error\n");
    }
    return plain(200, "ok\n");
}

Response status_page(RequestContext& ctx) {
    const PoolStats* stats = pool_stats();
    if (!stats) return plain(503, "no pool statistics in this process\n");
    const StatusSnapshot snapshot = take_status_snapshot(
        *stats, static_cast<std::int64_t>(std::time(nullptr)), steady_now_ns());
    const std::string format = ctx.req.query.get_or("format", "json");
    if (format == "prometheus") {
        return plain(200, status_prometheus(snapshot), "text/plain; version=0.0.4; charset=utf-8");
    }
    if (format != "json") throw HttpError(400, "format must be json or prometheus.");
    return plain(200, status_json(snapshot), "application/json; charset=utf-8");
}

}  // namespace mfo
