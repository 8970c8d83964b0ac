// The failover run: under load through nginx over both pools (50
// signed-in sessions browsing GET /, logins, registrations of fresh emails),
// kill -9 Galera node 1 (the node pool 1 prefers), let it settle, start it
// again (it must rejoin by IST, the cluster back to 3), then kill pool 1 and
// start it again. Every request is recorded with its outcome, its time and
// the phase it started in. Asserted: under 1 % failed overall, none in the
// steady windows (before the first fault, between a recovery and the next
// fault, after the last recovery); every registration that got the success
// answer logs in afterwards through pool 1 and through pool 2.
// Figures: requests per phase and kind, failures, the failover stalls, the
// rejoin time, p50/p99 per phase (scripts/test --cluster prints them).

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <mutex>
#include <thread>

#include "child_process.hpp"
#include "cluster_support.hpp"

using namespace mfo::test;
using namespace mfo::test::cluster;

namespace {

constexpr int kSessions = 50;
constexpr int kBrowsers = 4;                        // client threads browsing
constexpr auto kBrowseInterval = 50ms;              // per browser thread: 20/s each
constexpr auto kSignInInterval = 300ms;             // per login / registration thread
constexpr auto kSteady = std::chrono::seconds(8);   // each steady window
constexpr auto kOnePool = std::chrono::seconds(5);  // running on pool 2 alone

enum class Kind { browse, login, registration };
const char* kind_name(Kind k) {
    switch (k) {
        case Kind::browse:
            return "GET /";
        case Kind::login:
            return "login";
        case Kind::registration:
            return "register";
    }
    return "?";
}

struct Outcome {
    Kind kind;
    Clock::time_point start;
    Clock::time_point end;
    bool ok = false;
    long status = 0;
};

struct Phase {
    std::string name;
    bool steady = false;
    Clock::time_point start;
};

struct Account {
    std::string email;
    std::string password;
};

// Source addresses on loopback, one per sign-in request (nginx limits
// sign-in POSTs per address; a real crowd comes from many).
std::string next_address() {
    static std::atomic<unsigned> n{0};
    const unsigned i = n++;
    return "127.0.2." + std::to_string(i % 250 + 1);
}

class Run {
  public:
    void record(const Outcome& o) {
        std::lock_guard lock(mutex_);
        outcomes_.push_back(o);
        if (o.ok) last_ok_[static_cast<int>(o.kind)] = o.start;
    }
    // A request of `kind` that started at or after `t` has succeeded.
    bool succeeded_since(Kind kind, Clock::time_point t) {
        std::lock_guard lock(mutex_);
        return last_ok_[static_cast<int>(kind)] >= t;
    }
    void acknowledged(const Account& a) {
        std::lock_guard lock(mutex_);
        accounts_.push_back(a);
    }
    std::vector<Outcome> outcomes() {
        std::lock_guard lock(mutex_);
        return outcomes_;
    }
    std::vector<Account> accounts() {
        std::lock_guard lock(mutex_);
        return accounts_;
    }

  private:
    std::mutex mutex_;
    std::vector<Outcome> outcomes_;
    std::vector<Account> accounts_;
    Clock::time_point last_ok_[3]{};
};

// Waits out `d` while the load runs (the observation window of a phase).
void observe(std::chrono::milliseconds d) {
    const auto until = Clock::now() + d;
    proc::wait_until([&] { return Clock::now() >= until; }, d + 1s, 50ms);
}

// Paces a loop at `interval` per iteration (never bursts to catch up).
class Pacer {
  public:
    explicit Pacer(std::chrono::milliseconds interval) : interval_(interval) {}
    void wait() {
        next_ += interval_;
        const auto now = Clock::now();
        if (next_ < now) next_ = now;
        std::this_thread::sleep_until(next_);
    }

  private:
    std::chrono::milliseconds interval_;
    Clock::time_point next_ = Clock::now();
};

struct Stats {
    std::size_t count = 0, failed = 0;
    double p50 = 0, p99 = 0, max = 0;
};

Stats stats_of(const std::vector<const Outcome*>& list) {
    Stats s;
    std::vector<double> ms;
    for (const Outcome* o : list) {
        ++s.count;
        s.failed += !o->ok;
        ms.push_back(std::chrono::duration<double, std::milli>(o->end - o->start).count());
    }
    if (ms.empty()) return s;
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
        return ms[std::min(ms.size() - 1,
                           static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1) + 0.5))];
    };
    s.p50 = at(0.5);
    s.p99 = at(0.99);
    s.max = ms.back();
    return s;
}

std::string fmt(const char* format, double a, double b = 0, double c = 0) {
    char buf[160];
    std::snprintf(buf, sizeof buf, format, a, b, c);
    return buf;
}

// The longest time without any request succeeding, between `from` and `to`.
double longest_gap_s(const std::vector<Outcome>& all, Clock::time_point from,
                     Clock::time_point to) {
    std::vector<Clock::time_point> ends;
    for (const Outcome& o : all) {
        if (o.ok && o.end >= from && o.end <= to) ends.push_back(o.end);
    }
    std::sort(ends.begin(), ends.end());
    double longest = 0;
    Clock::time_point prev = from;
    for (const auto& e : ends) {
        longest = std::max(longest, seconds_between(prev, e));
        prev = e;
    }
    return std::max(longest, seconds_between(prev, to));
}

// "failures from +A s to +B s" (times since `t0`) of the requests that
// started in [from, to), or "no failures".
std::string failure_span(const std::vector<Outcome>& all, Clock::time_point t0,
                         Clock::time_point from, Clock::time_point to) {
    double first = -1, last = -1;
    for (const Outcome& o : all) {
        if (o.ok || o.start < from || o.start >= to) continue;
        const double s = seconds_between(t0, o.start);
        first = first < 0 ? s : std::min(first, s);
        last = std::max(last, seconds_between(t0, o.end));
    }
    return first < 0 ? "no failures" : fmt("failures from +%.1f s to +%.1f s", first, last);
}

bool cluster_size_is(int node, const std::string& size) {
    const auto v = node_status(node, "wsrep_cluster_size");
    return v && *v == size;
}

bool node_synced(int node) {
    const auto v = node_status(node, "wsrep_local_state_comment");
    return v && *v == "Synced";
}

// The node's error log: @@log_error, relative to @@datadir when relative.
std::string error_log_of(int node) {
    const auto rows = node_sql(node, "SELECT @@log_error, @@datadir");
    if (rows.empty()) return "";
    const std::string& row = rows.front();
    const auto tab = row.find('\t');
    std::string log = row.substr(0, tab);
    const std::string datadir = tab == std::string::npos ? "" : row.substr(tab + 1);
    if (!log.empty() && log[0] != '/') log = datadir + "/" + log;
    return log;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(failover)

BOOST_AUTO_TEST_CASE(kill_a_node_and_a_pool_under_load) {
    const ClusterEnv& env = cluster_env();
    for (int node = 1; node <= 3; ++node) {
        BOOST_REQUIRE_MESSAGE(cluster_size_is(node, "3") && node_synced(node),
                              "node " << node << " is not a Synced member of a 3-node cluster");
    }
    const std::string node1_log = error_log_of(1);
    std::size_t node1_log_offset = 0;  // its size when start-db begins

    Run run;
    // ---- 50 signed-in sessions (registered through the balanced URL) ----
    struct Session {
        Account account;
        HttpClient client{""};
    };
    std::vector<Session> sessions(kSessions);
    {
        std::atomic<int> next{0}, failures{0}, gave_up{0};
        std::mutex setup_mutex;
        std::string setup_errors;
        std::vector<std::jthread> makers;
        for (int t = 0; t < kBrowsers; ++t) {
            makers.emplace_back([&] {
                for (int i; (i = next++) < kSessions;) {
                    // Up to 3 tries (a failure here is not measured, but
                    // counted in the figures: the load has not started).
                    for (int attempt = 0; attempt < 3; ++attempt) {
                        Session& s = sessions[static_cast<std::size_t>(i)];
                        s.account = {cluster_email("browse"), cluster_password()};
                        s.client = HttpClient(env.url);
                        s.client.timeout_seconds = 20;
                        s.client.local_address = next_address();
                        const auto form = open_register_form(s.client);
                        long status = 0;
                        const RegisterOutcome o = submit_registration(
                            s.client, form, s.account.email, s.account.password, &status);
                        if (o == RegisterOutcome::created) {
                            run.acknowledged(s.account);
                            break;
                        }
                        ++failures;
                        std::lock_guard lock(setup_mutex);
                        setup_errors += std::string(setup_errors.empty() ? "" : ", ") +
                                        outcome_name(o) + " " + std::to_string(status);
                        if (attempt == 2) ++gave_up;
                    }
                }
            });
        }
        makers.clear();
        figure(std::to_string(kSessions) + " sessions registered through the balanced URL " +
               "before the load; " + std::to_string(failures.load()) + " registrations failed" +
               (setup_errors.empty() ? std::string() : " (" + setup_errors + ")") +
               " and were tried again with another email");
        BOOST_CHECK_MESSAGE(failures.load() == 0, failures.load()
                                                      << " registrations failed before the load: "
                                                      << setup_errors);
        BOOST_REQUIRE_MESSAGE(gave_up.load() == 0, "sessions missing: 3 registrations failed");
    }

    // Pool 1's probe after its restart: a copy of one session's cookie.
    const std::string probe_cookie = session_cookie(sessions[0].client);

    // ---- the load ----
    std::mutex phase_mutex;
    std::vector<Phase> phases;
    auto mark = [&](const std::string& name, bool steady) {
        std::lock_guard lock(phase_mutex);
        phases.push_back({name, steady, Clock::now()});
    };
    std::atomic<bool> stopping{false};
    std::vector<std::jthread> load;
    for (int t = 0; t < kBrowsers; ++t) {
        load.emplace_back([&, t] {
            // Thread t browses as the sessions t, t + kBrowsers, ... (each
            // client, with its cookie jar, used by one thread only).
            std::vector<Session*> mine;
            for (std::size_t i = static_cast<std::size_t>(t); i < sessions.size(); i += kBrowsers)
                mine.push_back(&sessions[i]);
            Pacer pace(kBrowseInterval);
            for (std::size_t i = 0; !stopping; ++i) {
                Session& s = *mine[i % mine.size()];
                Outcome o{Kind::browse, Clock::now(), {}, false, 0};
                o.ok = browse_home(s.client, s.account.email, &o.status);
                o.end = Clock::now();
                run.record(o);
                pace.wait();
            }
        });
    }
    load.emplace_back([&] {
        Pacer pace(kSignInInterval);
        for (std::size_t i = 0; !stopping; ++i) {
            const Account& a = sessions[i % sessions.size()].account;
            HttpClient c(env.url);
            c.timeout_seconds = 20;
            c.local_address = next_address();
            Outcome o{Kind::login, Clock::now(), {}, false, 0};
            o.ok = try_login(c, a.email, a.password, &o.status);
            o.end = Clock::now();
            run.record(o);
            pace.wait();
        }
    });
    load.emplace_back([&] {
        Pacer pace(kSignInInterval);
        while (!stopping) {
            const Account a{cluster_email("load"), cluster_password()};
            HttpClient c(env.url);
            c.timeout_seconds = 20;
            c.local_address = next_address();
            Outcome o{Kind::registration, Clock::now(), {}, false, 0};
            const auto form = open_register_form(c);
            o.ok = submit_registration(c, form, a.email, a.password, &o.status) ==
                   RegisterOutcome::created;
            o.end = Clock::now();
            // Recorded only on the success answer: those must all survive.
            if (o.ok) run.acknowledged(a);
            run.record(o);
            pace.wait();
        }
    });
    auto stop_load = [&] {
        stopping = true;
        load.clear();  // joins
    };

    const auto began = Clock::now();
    bool warmed = false;
    double evicted_s = -1, db_settled_s = -1, rejoin_s = -1, size3_s = -1, pool_back_s = -1;
    std::string start_db_output;
    Clock::time_point db_killed{}, db_rejoin{}, pool_killed{}, pool_restart{}, ended{};
    try {
        warmed = proc::wait_until(
            [&] {
                return run.succeeded_since(Kind::browse, began) &&
                       run.succeeded_since(Kind::login, began) &&
                       run.succeeded_since(Kind::registration, began);
            },
            30s, 50ms);
        BOOST_REQUIRE_MESSAGE(warmed, "the load did not get going");
        mark("steady: before the faults", true);
        observe(kSteady);

        // ---- kill -9 node 1 ----
        mark("node 1 killed (kill -9)", false);
        db_killed = Clock::now();
        cluster_command_ok({"kill-db", "1"}, 30s);
        // The survivors evict it...
        const bool evicted = proc::wait_until(
            [&] { return cluster_size_is(2, "2") && cluster_size_is(3, "2"); }, 60s, 200ms);
        evicted_s = seconds_between(db_killed, Clock::now());
        BOOST_REQUIRE_MESSAGE(evicted, "nodes 2 and 3 did not evict node 1 within 60 s");
        // ... and every kind of request succeeds again after that.
        const auto after_eviction = Clock::now();
        const bool settled = proc::wait_until(
            [&] {
                return run.succeeded_since(Kind::browse, after_eviction) &&
                       run.succeeded_since(Kind::login, after_eviction) &&
                       run.succeeded_since(Kind::registration, after_eviction);
            },
            30s, 50ms);
        db_settled_s = seconds_between(db_killed, Clock::now());
        BOOST_CHECK_MESSAGE(settled, "requests did not succeed again within 30 s of the eviction");
        observe(3s);

        // ---- node 1 back (IST) ----
        mark("node 1 rejoining (start-db)", false);
        db_rejoin = Clock::now();
        node1_log_offset = proc::read_text_file(node1_log).size();
        const CommandOutput started = cluster_command_ok({"start-db", "1"}, 180s);
        start_db_output = started.output;
        rejoin_s = started.seconds;
        const bool back = proc::wait_until(
            [&] {
                return cluster_size_is(1, "3") && cluster_size_is(2, "3") &&
                       cluster_size_is(3, "3") && node_synced(1);
            },
            60s, 200ms);
        size3_s = seconds_between(db_rejoin, Clock::now());
        BOOST_REQUIRE_MESSAGE(back, "node 1 is not back as a Synced member of 3 within 60 s");
        mark("steady: node 1 back", true);
        observe(kSteady);

        // ---- kill pool 1 ----
        mark("pool 1 killed", false);
        pool_killed = Clock::now();
        cluster_command_ok({"kill-pool", "1"}, 30s);
        observe(kOnePool);
        mark("pool 1 restarting (start-pool)", false);
        pool_restart = Clock::now();
        cluster_command_ok({"start-pool", "1"}, 60s);
        HttpClient probe(env.pool_url[1]);
        probe.timeout_seconds = 5;
        probe.set_cookie("mfo_session", probe_cookie);
        const bool pool_back = proc::wait_until(
            [&] { return browse_home(probe, sessions[0].account.email); }, 30s, 100ms);
        pool_back_s = seconds_between(pool_restart, Clock::now());
        BOOST_REQUIRE_MESSAGE(pool_back, "pool 1 does not serve a signed-in GET / within 30 s");
        mark("steady: pool 1 back", true);
        observe(kSteady);
    } catch (...) {
        stop_load();
        throw;
    }
    stop_load();
    ended = Clock::now();

    // ---- per phase figures and the failure budget ----
    const std::vector<Outcome> all = run.outcomes();
    auto phase_of = [&](const Outcome& o) -> int {
        int p = -1;
        for (std::size_t i = 0; i < phases.size(); ++i) {
            if (o.start >= phases[i].start) p = static_cast<int>(i);
        }
        return p;
    };
    std::size_t total = 0, total_failed = 0, steady_failed = 0;
    figure("---- failover under load (" + std::to_string(kSessions) + " sessions browsing " +
           "through nginx over both pools, logins and registrations) ----");
    for (std::size_t p = 0; p < phases.size(); ++p) {
        const Clock::time_point from = phases[p].start;
        const Clock::time_point to = p + 1 < phases.size() ? phases[p + 1].start : ended;
        std::vector<const Outcome*> in_phase;
        for (const Outcome& o : all) {
            if (phase_of(o) == static_cast<int>(p)) in_phase.push_back(&o);
        }
        const Stats s = stats_of(in_phase);
        total += s.count;
        total_failed += s.failed;
        if (phases[p].steady) steady_failed += s.failed;
        std::string line = phases[p].name + fmt(" (%.1f s): ", seconds_between(from, to)) +
                           std::to_string(s.count) + " requests, " + std::to_string(s.failed) +
                           " failed, p50 " +
                           fmt("%.1f ms, p99 %.1f ms, max %.1f ms", s.p50, s.p99, s.max);
        for (Kind k : {Kind::browse, Kind::login, Kind::registration}) {
            std::vector<const Outcome*> of_kind;
            for (const Outcome* o : in_phase) {
                if (o->kind == k) of_kind.push_back(o);
            }
            const Stats ks = stats_of(of_kind);
            line += std::string("; ") + kind_name(k) + " " + std::to_string(ks.count) + "/" +
                    std::to_string(ks.failed) + " failed, p50 " +
                    fmt("%.0f p99 %.0f ms", ks.p50, ks.p99);
        }
        figure(line);
        BOOST_CHECK_MESSAGE(
            !phases[p].steady || s.failed == 0,
            s.failed << " requests failed in the steady window \"" << phases[p].name << "\"");
    }
    const double failed_pct =
        total ? 100.0 * static_cast<double>(total_failed) / static_cast<double>(total) : 100;
    figure(fmt("overall: %.0f requests, %.0f failed (%.2f %%), ", static_cast<double>(total),
               static_cast<double>(total_failed), failed_pct) +
           std::to_string(steady_failed) + " in the steady windows");
    if (db_killed != Clock::time_point{} && db_rejoin != Clock::time_point{}) {
        std::vector<const Outcome*> during;
        for (const Outcome& o : all) {
            if (o.start >= db_killed && o.start < db_rejoin) during.push_back(&o);
        }
        figure(
            fmt("node 1 kill -9: evicted after %.1f s, every kind succeeding again after %.1f s; ",
                evicted_s, db_settled_s) +
            fmt("failover stall: slowest request %.2f s, longest time without any successful "
                "request %.2f s; ",
                stats_of(during).max / 1000.0, longest_gap_s(all, db_killed, db_rejoin)) +
            failure_span(all, db_killed, db_killed, pool_killed));
    }
    if (pool_killed != Clock::time_point{} && pool_restart != Clock::time_point{}) {
        std::vector<const Outcome*> during;
        for (const Outcome& o : all) {
            if (o.start >= pool_killed && o.start < pool_restart) during.push_back(&o);
        }
        figure(fmt("pool 1 kill: slowest request %.2f s, longest time without any successful "
                   "request %.2f s; start-pool until pool 1 serves again %.1f s; ",
                   stats_of(during).max / 1000.0, longest_gap_s(all, pool_killed, pool_restart),
                   pool_back_s) +
               failure_span(all, pool_killed, pool_killed, ended));
    }
    // Which failed, for the log.
    int shown = 0;
    for (const Outcome& o : all) {
        if (o.ok || shown >= 15) continue;
        ++shown;
        const int p = phase_of(o);
        BOOST_TEST_MESSAGE(
            "failed: " << kind_name(o.kind) << " status " << o.status << " at "
                       << fmt("%.2f s", seconds_between(began, o.start)) << " in \""
                       << (p >= 0 ? phases[static_cast<std::size_t>(p)].name : "warm-up") << "\"");
    }
    BOOST_CHECK_MESSAGE(failed_pct < 1.0, failed_pct << " % of " << total << " requests failed");

    // ---- node 1 rejoined by IST, the cluster is 3 again ----
    {
        // What node 1 logged since start-db. With rsync, an IST goes through
        // the SST script too (and Galera then logs "Installed new state from
        // SST" at the recovered position); what tells them apart is the
        // script's own "rsync IST completed on joiner" (a full copy says
        // "rsync SST completed on joiner"), Galera's "Receiving IST: N
        // writesets", and a local state other than 00000000-...:-1.
        const std::string whole = proc::read_text_file(node1_log);
        const std::string log = whole.substr(std::min(node1_log_offset, whole.size()));
        auto has = [&](const char* text) { return log.find(text) != std::string::npos; };
        const bool ist = (has("rsync IST completed on joiner") || has("Receiving IST: ")) &&
                         !has("rsync SST completed on joiner") &&
                         !has("Local state: 00000000-0000-0000-0000-000000000000:-1");
        std::string writesets = "no \"Receiving IST\" line";
        if (const auto at = log.find("Receiving IST: "); at != std::string::npos) {
            const auto end = log.find('\n', at);
            writesets = log.substr(at, end == std::string::npos ? std::string::npos : end - at);
        }
        // scripts/cluster start-db's own account ("node 1 Synced ... in 8.0s ...").
        std::string said = "?";
        if (const auto at = start_db_output.rfind("Synced"); at != std::string::npos) {
            const auto bol = start_db_output.rfind('\n', at);
            const auto eol = start_db_output.find('\n', at);
            said = start_db_output.substr(
                bol == std::string::npos ? 0 : bol + 1,
                eol == std::string::npos ? std::string::npos : eol - (bol + 1));
        }
        figure(fmt("node 1 rejoin: start-db %.1f s, back in a cluster of 3 after %.1f s; ",
                   rejoin_s, size3_s) +
               (ist ? "by IST (" + writesets + ")" : std::string("NOT by IST")) +
               "; start-db said: " + said);
        BOOST_CHECK_MESSAGE(ist, "node 1 did not rejoin by IST (log "
                                     << node1_log << "); start-db said:\n"
                                     << proc::tail_lines(start_db_output, 30));
        for (int node = 1; node <= 3; ++node) {
            BOOST_CHECK_MESSAGE(cluster_size_is(node, "3") && node_synced(node),
                                "node " << node << " is not a Synced member of a 3-node cluster");
        }
    }

    // ---- nothing acknowledged is lost: each logs in through either pool ----
    {
        const std::vector<Account> accounts = run.accounts();
        std::atomic<std::size_t> next{0}, lost1{0}, lost2{0};
        std::mutex m;
        std::vector<std::string> lost;
        const auto checked_at = Clock::now();
        {
            std::vector<std::jthread> checkers;
            for (int t = 0; t < kBrowsers; ++t) {
                checkers.emplace_back([&] {
                    for (std::size_t i; (i = next++) < accounts.size();) {
                        for (int pool = 1; pool <= 2; ++pool) {
                            HttpClient c(env.pool_url[pool]);
                            c.timeout_seconds = 20;
                            c.local_address = next_address();
                            long status = 0;
                            if (!try_login(c, accounts[i].email, accounts[i].password, &status)) {
                                ++(pool == 1 ? lost1 : lost2);
                                std::lock_guard lock(m);
                                lost.push_back(accounts[i].email + " through pool " +
                                               std::to_string(pool) + " (status " +
                                               std::to_string(status) + ")");
                            }
                        }
                    }
                });
            }
        }
        figure(std::to_string(accounts.size()) + " registrations acknowledged (" +
               std::to_string(kSessions) + " before the load, the rest during it); " +
               std::to_string(accounts.size() - lost1) + " log in through pool 1, " +
               std::to_string(accounts.size() - lost2) + " through pool 2" +
               fmt(" (checked in %.1f s)", seconds_between(checked_at, Clock::now())));
        for (std::size_t i = 0; i < lost.size() && i < 10; ++i) {
            BOOST_TEST_MESSAGE("cannot log in: " << lost[i]);
        }
        BOOST_CHECK_MESSAGE(lost.empty(), lost.size() << " logins of acknowledged registrations "
                                                      << "failed (first: "
                                                      << (lost.empty() ? "" : lost.front()) << ")");
    }
    figure(fmt("failover run: %.0f s in all", seconds_between(began, Clock::now())));
}

BOOST_AUTO_TEST_SUITE_END()
