// mfo-db: the schema (migrations), the seeded roles and housekeeping. Uses
// the DDL account (database.admin_user).

#include <charconv>
#include <iostream>

#include "cli_tool.hpp"
#include "flask_import.hpp"
#include "flask_source.hpp"
#include "least_privilege_grants.hpp"
#include "migrations.hpp"
#include "role_seeder.hpp"
#include "roles_file.hpp"
#include "schema_check.hpp"
#include "session_purge.hpp"
#include "text_table.hpp"

namespace {

using namespace mfo;
using namespace mfo::cli;

Database& admin_db(ToolContext& ctx) {
    return ctx.database(DbAccount::admin);
}

int parse_count(const std::string& option, const std::string& text, int max) {
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 0 || n > max) {
        throw UsageError(option + " must be a number from 0 to " + std::to_string(max));
    }
    return n;
}

void run_migrations(ToolContext& ctx, bool dry_run, int lock_timeout) {
    Database& db = admin_db(ctx);
    MigrateResult result;
    db.write([&](Database& d) {
        result =
            migrate(d, ctx.config().database.migrations_dir, dry_run, &ctx.out(), lock_timeout);
    });
    const std::string count = std::to_string(result.applied.size()) + " migration(s)";
    if (dry_run) {
        ctx.out() << "-- dry run: nothing was changed; this would be run:\n\n" << result.sql;
        ctx.out() << "-- " << (result.applied.empty() ? "no migration" : count)
                  << " would be applied.\n";
    } else if (result.applied.empty()) {
        ctx.out() << "Nothing to apply: the database is up to date.\n";
    } else {
        ctx.out() << "Applied " << count << ".\n";
    }
}

void run_seed(ToolContext& ctx) {
    const auto roles = load_roles_file(ctx.config().roles);
    for (const auto& line : seed_roles(admin_db(ctx), roles, ctx.actor()))
        ctx.out() << line << "\n";
}

int lock_timeout(const ParsedArgs& args) {
    return parse_count("--lock-timeout", args.value("--lock-timeout").value_or("60"), 86400);
}

int migrate_command(ToolContext& ctx, const ParsedArgs& args) {
    run_migrations(ctx, args.has("--dry-run"), lock_timeout(args));
    return kExitOk;
}

// repair VERSION / baseline VERSION: record without running.
int record_command(ToolContext& ctx, const ParsedArgs& args, bool through) {
    const int version = parse_count("VERSION", args.positional[0], 999999999);
    std::vector<std::string> names;
    admin_db(ctx).write([&](Database& d) {
        names = record_as_applied(d, ctx.config().database.migrations_dir, version, through);
    });
    for (const auto& name : names) {
        ctx.out() << "Recorded " << name << " as applied (not run).\n";
    }
    return kExitOk;
}

int repair_command(ToolContext& ctx, const ParsedArgs& args) {
    return record_command(ctx, args, false);
}

int baseline_command(ToolContext& ctx, const ParsedArgs& args) {
    return record_command(ctx, args, true);
}

std::string state_name(const MigrationStatus& entry) {
    switch (entry.state) {
        case MigrationState::applied:
            if (!entry.error.empty()) return "applied (repaired)";
            if (!entry.repaired_at.empty()) return "applied (recorded)";
            return "applied";
        case MigrationState::pending:
            return "pending";
        case MigrationState::changed:
            return "CHANGED since applied";
        case MigrationState::missing:
            return "MISSING file";
        case MigrationState::failed:
            // A row without a failed statement is also what a migrate still
            // running looks like.
            return entry.failed_statement > 0
                       ? "FAILED at statement " + std::to_string(entry.failed_statement)
                       : "NOT FINISHED (running or died)";
    }
    return "?";
}

std::string or_dash(const std::string& value) {
    return value.empty() ? "-" : value;
}

int status_command(ToolContext& ctx, const ParsedArgs&) {
    std::vector<MigrationStatus> status;
    admin_db(ctx).read(
        [&](Database& d) { status = migration_status(d, ctx.config().database.migrations_dir); });
    TextTable table({"VERSION", "MIGRATION", "STATE", "APPLIED AT (UTC)", "DB USER", "OS USER",
                     "MS", "SHA-256"});
    std::size_t applied = 0, pending = 0;
    std::string problem;
    std::vector<std::string> failures;
    for (const auto& entry : status) {
        if (entry.state == MigrationState::pending) {
            table.add_row(
                {std::to_string(entry.version), entry.name, state_name(entry), "", "", "", "", ""});
            ++pending;
            continue;
        }
        // Rows from before the history columns show "-": unknown.
        table.add_row({std::to_string(entry.version), entry.name, state_name(entry),
                       entry.applied_at, or_dash(entry.db_user), or_dash(entry.os_user),
                       or_dash(entry.duration_ms), entry.checksum});
        if (entry.state != MigrationState::failed) ++applied;
        if (entry.state == MigrationState::failed) {
            failures.push_back(entry.name + ": " +
                               (entry.error.empty() ? "started, never finished" : entry.error));
            if (problem.empty()) {
                problem = "migration " + entry.name + " " + state_name(entry) +
                          ": `mfo-db migrate` will refuse to run; see its message";
            }
        }
        if (problem.empty() &&
            (entry.state == MigrationState::changed || entry.state == MigrationState::missing)) {
            problem = "migration " + entry.name + ": " + state_name(entry) +
                      "; `mfo-db migrate` will refuse to run";
        }
    }
    table.print(ctx.out());
    ctx.out() << applied << " applied, "
              << (failures.empty() ? "" : std::to_string(failures.size()) + " failed, ") << pending
              << " pending.\n";
    for (const auto& failure : failures) ctx.out() << "Failed: " << failure << "\n";
    if (!problem.empty()) throw ToolFailure(problem);
    return kExitOk;
}

std::string describe(const InvariantFinding& finding) {
    std::string line =
        finding.invariant + ": " + std::to_string(finding.count) + " " + finding.what;
    if (!finding.examples.empty()) {
        line += " (e.g. ";
        for (std::size_t i = 0; i < finding.examples.size(); ++i) {
            line += (i > 0 ? "; " : "") + finding.examples[i];
        }
        line += ")";
    }
    return line;
}

// Exit 1 when something is broken, so that cron or monitoring notices; the
// report itself goes to stdout, it is not an error of the tool.
int check_command(ToolContext& ctx, const ParsedArgs& args) {
    Database& db = admin_db(ctx);
    if (args.has("--fix")) {
        const auto fixed = fix_invariants(db, ctx.actor());
        for (const auto& finding : fixed) ctx.out() << "Fixed " << describe(finding) << ".\n";
        if (fixed.empty()) {
            ctx.out() << "Nothing to fix: role copies and counters agree.\n";
        } else {
            ctx.out() << "Fixed " << fixed.size()
                      << " invariant(s) in one transaction (audit_log action schema.fix).\n";
        }
        return kExitOk;
    }
    const auto findings = check_invariants(db);
    for (const auto& finding : findings) ctx.out() << describe(finding) << "\n";
    if (findings.empty()) {
        ctx.out() << "OK: role copies and counters agree with user_roles and users.\n";
        return kExitOk;
    }
    ctx.out() << findings.size()
              << " broken invariant(s); nothing was changed. `mfo-db check --fix` repairs them.\n";
    return kExitFailed;
}

int seed_command(ToolContext& ctx, const ParsedArgs&) {
    run_seed(ctx);
    return kExitOk;
}

int create_command(ToolContext& ctx, const ParsedArgs& args) {
    run_migrations(ctx, false, lock_timeout(args));
    run_seed(ctx);
    return kExitOk;
}

std::uint64_t batch_size(const ParsedArgs& args) {
    const std::string text = args.value("--batch").value_or("5000");
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n == 0 || n > 1000000) {
        throw UsageError("--batch must be a number from 1 to 1000000");
    }
    return n;
}

int purge_command(ToolContext& ctx, const ParsedArgs& args) {
    const std::uint64_t batch = batch_size(args);
    const int audit_days =
        parse_count("--audit-days", args.value("--audit-days").value_or("0"), 36500);
    const auto counts =
        purge_expired(admin_db(ctx), batch, ctx.config().login_failure_window, audit_days);
    ctx.out() << "Removed " << counts.sessions << " expired session(s) and " << counts.throttle_rows
              << " stale login throttle row(s).\n";
    if (counts.feed_rows > 0) {
        ctx.out() << "Removed " << counts.feed_rows << " revocation feed row(s) older than a day.\n";
    }
    if (audit_days > 0) {
        ctx.out() << "Removed " << counts.audit_rows << " audit log row(s) older than "
                  << audit_days << " day(s).\n";
    }
    return kExitOk;
}

int grants_command(ToolContext& ctx, const ParsedArgs& args) {
    GrantAccounts accounts;
    accounts.database = ctx.config().database.name;
    accounts.app_user = ctx.config().database.user;
    accounts.purge_user = args.value("--purge-user").value_or("mfo_purge");
    accounts.host = args.value("--host").value_or("localhost");
    try {
        ctx.out() << least_privilege_grants(accounts);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    return kExitOk;
}

int import_flask_command(ToolContext& ctx, const ParsedArgs& args) {
    const std::string& uri_text = args.positional.at(0);
    ImportOptions options;
    options.dry_run = args.has("--dry-run");
    options.overwrite = args.has("--overwrite");
    options.actor = ctx.actor();
    options.source = redacted_uri(uri_text);
    options.have_salt = !ctx.config().password_pepper.empty();
    FlaskData source;
    try {
        source =
            read_flask_source(parse_source_uri(uri_text), ctx.config().database.connect_timeout);
    } catch (const SourceError& e) {
        throw ToolFailure(options.source + ": " + e.what());
    }
    const auto roles = load_roles_file(ctx.config().roles);
    const ImportReport report = import_flask_security(admin_db(ctx), source, roles, options);
    for (const auto& line : format_import_report(report, options)) ctx.out() << line << "\n";
    return kExitOk;
}

ToolSpec tool_spec() {
    return ToolSpec{
        "mfo-db",
        "Database schema and housekeeping (uses the DDL account, [database] admin_user).",
        {
            {"migrate",
             {},
             "",
             "Apply the pending SQL migrations in order.",
             "Refuses to run when an applied migration's file was changed or removed.\n"
             "Concurrent runs wait for each other (GET_LOCK 'mfo_migrate'; on a Galera\n"
             "cluster a lock row in schema_migration_lock), saying so.\n"
             "Statements are split as the mariadb client does (quotes, comments,\n"
             "DELIMITER lines for trigger and procedure bodies). DDL cannot be rolled\n"
             "back: a migration that fails half-way (or loses its connection) is\n"
             "recorded as FAILED with the statement and the server's message, and\n"
             "`migrate` refuses to run until it is finished by hand and `repair`ed.\n"
             "Records who ran each one, when and how long it took (`status`).",
             {{"--dry-run", "", "", "print the SQL that would be run and change nothing"},
              {"--lock-timeout", "", "S",
               "wait at most S seconds for another migrate (default 60)"}},
             0,
             0,
             migrate_command},
            {"repair",
             {},
             "VERSION",
             "Record the failed (else the next pending) migration as applied, without running it.",
             "For a migration that failed or lost its connection half-way (`status`\n"
             "shows it FAILED; `migrate` refuses to run until then): once its statements\n"
             "have been completed by hand (the schema is what the file makes), this\n"
             "marks it applied so that `migrate` goes on with the next one. Without a\n"
             "failed one, records the next pending migration.",
             {},
             1,
             1,
             repair_command},
            {"baseline",
             {},
             "VERSION",
             "Record every pending migration up to VERSION as applied, without running them.",
             "For a database whose schema was made another way (a restore, a copy).\n"
             "Refused while a migration is FAILED (`repair` it first).",
             {},
             1,
             1,
             baseline_command},
            {"status",
             {},
             "",
             "Show the migrations: state and history (who, when, how long, checksum).",
             "One row per migration: STATE (applied, pending, FAILED at statement N,\n"
             "NOT FINISHED, CHANGED, MISSING), when it was applied or tried (UTC), the\n"
             "database account (CURRENT_USER()) and OS user that ran it, its duration\n"
             "in ms and the SHA-256 of its file; \"-\" where the history is unknown\n"
             "(applied before it was kept). Exits with status 1 when a migration\n"
             "failed, changed or is missing.",
             {},
             0,
             0,
             status_command},
            {"check",
             {},
             "",
             "Report role copies and console counters that disagree with their source.",
             "Checks (reading only) that each user's copy of its roles (users.role_names,\n"
             "role_permissions) matches user_roles and roles, and that the counters\n"
             "user_counts and role_member_counts match users and user_roles: SQL by\n"
             "hand, TRUNCATE or a bulk load can break them. Prints each with its number\n"
             "of rows and examples; exits with status 1 when any is broken.",
             {{"--fix", "", "",
               "rebuild what is broken, in one transaction, audited (action schema.fix)"}},
             0,
             0,
             check_command},
            {"seed",
             {},
             "",
             "Create or update the roles of the roles file ([app] roles).",
             "Find-or-create: running it again changes nothing. A changed description or\n"
             "permission set is written to the database and reported.",
             {},
             0,
             0,
             seed_command},
            {"create",
             {},
             "",
             "Migrate, then seed (the seed's `flask database create`).",
             "",
             {{"--lock-timeout", "", "S",
               "wait at most S seconds for another migrate (default 60)"}},
             0,
             0,
             create_command},
            {"grants",
             {},
             "",
             "Print the least-privilege table grants of the worker and purge accounts.",
             "SQL for the MariaDB root user, after `mfo-db migrate` (table grants need\n"
             "their tables), e.g. `mfo-db grants | mariadb`. The worker's account may not\n"
             "delete users, audit rows or touch the migration history. Connects nowhere.",
             {{"--purge-user", "", "NAME",
               "the account of purge-sessions (default mfo_purge; '' for none)"},
              {"--host", "", "HOST", "the accounts' host part (default localhost)"}},
             0,
             0,
             grants_command},
            {"import-flask-security",
             {"import_flask_security"},
             "URI",
             "Import users, roles and passwords from the Flask-Security-Too app's database.",
             "URI is the Flask app's SQLALCHEMY_DATABASE_URI: sqlite:///relative/path,\n"
             "sqlite:////absolute/path, or mysql[+pymysql|+mysqldb]:// / mariadb[+driver]://\n"
             "USER:PASSWORD@HOST[:PORT]/DATABASE[?unix_socket=PATH]. One transaction.\n"
             "Needs the Flask app's SECURITY_PASSWORD_SALT ([security] password_pepper, the\n"
             "environment or .env). Running it again changes nothing and says so. Users\n"
             "and roles that exist in mfo with other data are reported and left alone.",
             {{"--dry-run", "", "", "print the report and change nothing"},
              {"--overwrite", "", "",
               "replace conflicting users and roles (also those of conf/roles.conf) with "
               "Flask's"}},
             1,
             1,
             import_flask_command},
            {"purge-sessions",
             {"purge_sessions"},
             "",
             "Delete expired sessions and stale login throttle rows.",
             "Deletes in batches so that the running site never waits long on a lock.\n"
             "Needs only SELECT and DELETE on sessions, login_throttle (and audit_log):\n"
             "run it as a purge account (README Deployment) rather than the DDL one.",
             {{"--batch", "", "N", "rows per DELETE statement (default 5000)"},
              {"--audit-days", "", "D",
               "also delete audit_log rows older than D days (default 0: keep all)"}},
             0,
             0,
             purge_command},
        }};
}

}  // namespace

int main(int argc, char** argv) {
    return run_tool(tool_spec(), argc, argv);
}
