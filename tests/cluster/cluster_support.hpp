#pragma once
// Helpers of the cluster suite: the cluster that scripts/test --cluster
// brought up with scripts/cluster (3 Galera nodes, 2 pools, one nginx), the
// commands that inject its faults, SQL on one node as root, the browser
// steps (register, log in, browse) judged as a user would, and figure lines.
//
// Environment (scripts/test --cluster exports it, mostly from `scripts/cluster env`):
//   MFO_CLUSTER_URL, MFO_CLUSTER_POOL1_URL, MFO_CLUSTER_POOL2_URL
//                         nginx over both pools / pinned to pool 1 / to pool 2
//   MFO_CLUSTER_POOL1_CONFIG, MFO_CLUSTER_POOL2_CONFIG   the pools' mfo.conf
//   MFO_CLUSTER_DIR       the cluster's folder (scripts/cluster --dir)
//   MFO_CLUSTER_BASE_PORT node N's client port is this + N
//   MFO_TEST_REPO_DIR, MFO_TEST_BIN_DIR, MFO_TEST_LOG_DIR

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "http_client.hpp"

namespace mfo::test::cluster {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct ClusterEnv {
    std::string url;          // nginx over both pools
    std::string pool_url[3];  // [1], [2]: nginx pinned to one pool
    std::string pool_config[3];
    std::string dir;
    std::string script;  // scripts/cluster
    std::string bin_dir;
    int base_port = 0;
};
const ClusterEnv& cluster_env();

struct CommandOutput {
    int status = -1;
    std::string output;  // stdout and stderr
    double seconds = 0;
};

// scripts/cluster --dir DIR ARGS... to completion (killed and thrown after `timeout`).
CommandOutput cluster_command(const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout);
// The same, throwing std::runtime_error with the output unless it exits 0.
CommandOutput cluster_command_ok(const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout);

// `sql` on node N as root (scripts/cluster sql N): the rows, tab-separated
// columns, no header. Throws when the client fails.
std::vector<std::string> node_sql(int node, const std::string& sql);
// SHOW GLOBAL STATUS LIKE 'name' on node N; nullopt when the node does not answer.
std::optional<std::string> node_status(int node, const std::string& name);

// "figure: TEXT" in the test log, on stdout and in
// $MFO_TEST_LOG_DIR/cluster-figures.log (printed by scripts/test --cluster).
void figure(const std::string& text);

// ---- what a user does, and whether it worked ------------------------------

// A fresh email / password for the cluster suite.
std::string cluster_email(const std::string& tag);
std::string cluster_password();

enum class RegisterOutcome { created, taken, refused_other, failed };
const char* outcome_name(RegisterOutcome o);

// The registration form (GET /register) fetched, ready to be posted.
struct RegisterForm {
    std::string token;
    bool ok = false;
    long status = 0;
};
RegisterForm open_register_form(HttpClient& client);
// POST /register with `form`'s token: created (302 with a session cookie),
// taken ("... is already associated with an account."), refused_other (200
// with another refusal), failed (anything else: 5xx, 4xx, no answer).
RegisterOutcome submit_registration(HttpClient& client, const RegisterForm& form,
                                    const std::string& email, const std::string& password,
                                    long* status = nullptr);

// GET /login then POST /login: true when the answer is the success redirect
// with a session cookie.
bool try_login(HttpClient& client, const std::string& email, const std::string& password,
               long* status = nullptr);

// GET / as the holder of `client`'s cookies: true when the page answers 200
// and shows `email` signed in (a lost session is a failure too).
bool browse_home(HttpClient& client, const std::string& email, long* status = nullptr);

// The session cookie's value in `client`'s jar ("" if none).
std::string session_cookie(HttpClient& client);

double seconds_between(Clock::time_point a, Clock::time_point b);

}  // namespace mfo::test::cluster
