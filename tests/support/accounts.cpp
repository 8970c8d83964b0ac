#include "accounts.hpp"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

#include "crypto.hpp"

namespace mfo::test {

namespace {

// An anonymous in-memory file: the child writes its output there and the
// parent reads it after the child has exited, so no pipe can fill up and
// block either side.
class MemFile {
public:
    explicit MemFile(const char* name) : fd_(::memfd_create(name, 0)) {
        if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    }
    ~MemFile() { ::close(fd_); }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;

    int fd() const { return fd_; }

    void write_all(const std::string& data) const {
        std::size_t done = 0;
        while (done < data.size()) {
            const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::runtime_error("writing a tool's standard input failed");
            done += static_cast<std::size_t>(n);
        }
        ::lseek(fd_, 0, SEEK_SET);
    }

    std::string read_all() const {
        std::string out;
        char buf[4096];
        ::lseek(fd_, 0, SEEK_SET);
        for (;;) {
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }

private:
    int fd_;
};

std::string describe(const std::string& tool, const std::vector<std::string>& args) {
    std::string text = tool;
    for (const auto& a : args) text += " " + a;
    return text;
}

}  // namespace

AdminToolResult run_admin_tool(const std::string& tool, const std::vector<std::string>& args,
                               const std::string& input) {
    const std::string bin = require_env("MFO_TEST_BIN_DIR") + "/" + tool;
    const std::string config = require_env("MFO_TEST_CONFIG");
    const char* stack_dir = std::getenv("MFO_TEST_STACK_DIR");

    std::vector<std::string> argv{bin, "--config", config};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> argv_ptrs;
    for (auto& a : argv) argv_ptrs.push_back(a.data());
    argv_ptrs.push_back(nullptr);

    const MemFile in("tool-stdin"), out("tool-stdout"), err("tool-stderr");
    in.write_all(input);

    // Everything the child needs is prepared before fork: it only redirects
    // and execs.
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        if (stack_dir && *stack_dir && ::chdir(stack_dir) != 0) ::_exit(126);
        if (::dup2(in.fd(), 0) < 0 || ::dup2(out.fd(), 1) < 0 || ::dup2(err.fd(), 2) < 0) {
            ::_exit(126);
        }
        ::execv(argv_ptrs[0], argv_ptrs.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw std::runtime_error("waitpid failed for " + bin);
    }
    AdminToolResult result;
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = out.read_all();
    result.err = err.read_all();
    if (result.status == 127 && result.out.empty() && result.err.empty()) {
        throw std::runtime_error("could not run " + bin);
    }
    return result;
}

std::string run_admin_tool_ok(const std::string& tool, const std::vector<std::string>& args,
                              const std::string& input) {
    const AdminToolResult r = run_admin_tool(tool, args, input);
    if (r.status != 0) {
        throw std::runtime_error(describe(tool, args) + " exited " + std::to_string(r.status) +
                                 "\nstdout: " + r.out + "\nstderr: " + r.err);
    }
    return r.out;
}

std::string fresh_email(const std::string& tag) {
    return "t-" + tag + "-" + crypto::hex(crypto::random_bytes(8)) + "@example.com";
}

std::string fresh_password() {
    return "Pw-" + crypto::hex(crypto::random_bytes(8)) + "-x";
}

TestAccount create_account(const std::string& tag, const std::vector<std::string>& roles,
                           bool active) {
    TestAccount account{fresh_email(tag), fresh_password()};
    std::vector<std::string> args{"create", account.email, "--password", account.password};
    if (active) args.push_back("--active");
    for (const auto& role : roles) {
        args.push_back("--role");
        args.push_back(role);
    }
    run_admin_tool_ok("mfo-users", args);
    return account;
}

void deactivate_account(const std::string& email) {
    run_admin_tool_ok("mfo-users", {"deactivate", email});
}

void activate_account(const std::string& email) {
    run_admin_tool_ok("mfo-users", {"activate", email});
}

void change_account_password(const std::string& email, const std::string& new_password) {
    run_admin_tool_ok("mfo-users", {"change-password", email, "--password-stdin"},
                      new_password + "\n");
}

void revoke_account_sessions(const std::string& email) {
    run_admin_tool_ok("mfo-users", {"revoke-sessions", email});
}

void grant_role(const std::string& email, const std::string& role) {
    run_admin_tool_ok("mfo-roles", {"add", email, role});
}

void remove_role(const std::string& email, const std::string& role) {
    run_admin_tool_ok("mfo-roles", {"remove", email, role});
}

std::string form_token(HttpClient& client, const std::string& path) {
    const HttpResponse page = client.get(path);
    const std::string token = input_value(page.body, "csrf_token");
    if (page.status != 200 || token.empty()) {
        throw std::runtime_error("GET " + path + " gave status " + std::to_string(page.status) +
                                 " without a csrf_token field");
    }
    return token;
}

std::string login_form_token(HttpClient& client) {
    return form_token(client, "/login");
}

HttpResponse login(HttpClient& client, const std::string& email, const std::string& password,
                   const Fields& extra) {
    Fields fields{{"email", email}, {"password", password}, {"csrf_token", login_form_token(client)}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return client.post_form("/login", fields);
}

HttpResponse login_ok(HttpClient& client, const std::string& email, const std::string& password,
                      const Fields& extra) {
    HttpResponse r = login(client, email, password, extra);
    bool session_set = false;
    for (const auto& c : r.set_cookies) {
        const auto eq = c.find('=');
        const std::string name = c.substr(0, eq);
        const bool named = name == "mfo_session" || name == "__Host-mfo_session";
        session_set = session_set || (named && eq + 1 < c.size() && c[eq + 1] != ';');
    }
    if (r.status != 302 || !session_set) {
        throw std::runtime_error("login as " + email + " failed: status " +
                                 std::to_string(r.status) + "\n" + r.body.substr(0, 2000));
    }
    return r;
}

}  // namespace mfo::test
