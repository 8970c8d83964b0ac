// mfo-db: the schema (migrations), the seeded roles and housekeeping. Uses
// the DDL account (database.admin_user).

#include <charconv>
#include <iostream>

#include "cli_tool.hpp"
#include "flask_import.hpp"
#include "flask_source.hpp"
#include "migrations.hpp"
#include "role_seeder.hpp"
#include "roles_file.hpp"
#include "session_purge.hpp"
#include "text_table.hpp"

namespace {

using namespace mfo;
using namespace mfo::cli;

Database& admin_db(ToolContext& ctx) {
    return ctx.database(DbAccount::admin);
}

void run_migrations(ToolContext& ctx, bool dry_run) {
    Database& db = admin_db(ctx);
    MigrateResult result;
    db.write([&](Database& d) {
        result = migrate(d, ctx.config().database.migrations_dir, dry_run, &ctx.out());
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

int migrate_command(ToolContext& ctx, const ParsedArgs& args) {
    run_migrations(ctx, args.has("--dry-run"));
    return kExitOk;
}

std::string state_name(MigrationState state) {
    switch (state) {
        case MigrationState::applied:
            return "applied";
        case MigrationState::pending:
            return "pending";
        case MigrationState::changed:
            return "CHANGED since applied";
        case MigrationState::missing:
            return "MISSING file";
    }
    return "?";
}

int status_command(ToolContext& ctx, const ParsedArgs&) {
    std::vector<MigrationStatus> status;
    admin_db(ctx).read(
        [&](Database& d) { status = migration_status(d, ctx.config().database.migrations_dir); });
    TextTable table({"VERSION", "MIGRATION", "STATE", "APPLIED AT (UTC)"});
    std::size_t applied = 0, pending = 0;
    std::string problem;
    for (const auto& entry : status) {
        table.add_row(
            {std::to_string(entry.version), entry.name, state_name(entry.state), entry.applied_at});
        if (entry.state == MigrationState::pending) {
            ++pending;
        } else {
            ++applied;
        }
        if (problem.empty() &&
            (entry.state == MigrationState::changed || entry.state == MigrationState::missing)) {
            problem = "migration " + entry.name + ": " + state_name(entry.state) +
                      "; `mfo-db migrate` will refuse to run";
        }
    }
    table.print(ctx.out());
    ctx.out() << applied << " applied, " << pending << " pending.\n";
    if (!problem.empty()) throw ToolFailure(problem);
    return kExitOk;
}

int seed_command(ToolContext& ctx, const ParsedArgs&) {
    run_seed(ctx);
    return kExitOk;
}

int create_command(ToolContext& ctx, const ParsedArgs&) {
    run_migrations(ctx, false);
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
    const auto counts = purge_expired(admin_db(ctx), batch, ctx.config().login_failure_window);
    ctx.out() << "Removed " << counts.sessions << " expired session(s) and " << counts.throttle_rows
              << " stale login throttle row(s).\n";
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
             "Concurrent runs wait for each other (GET_LOCK 'mfo_migrate').",
             {{"--dry-run", "", "", "print the SQL that would be run and change nothing"}},
             0,
             0,
             migrate_command},
            {"status",
             {},
             "",
             "Show applied and pending migrations.",
             "Exits with status 1 when an applied migration changed or is missing.",
             {},
             0,
             0,
             status_command},
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
             {},
             0,
             0,
             create_command},
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
             "Deletes in batches so that the running site never waits long on a lock.",
             {{"--batch", "", "N", "rows per DELETE statement (default 5000)"}},
             0,
             0,
             purge_command},
        }};
}

}  // namespace

int main(int argc, char** argv) {
    return run_tool(tool_spec(), argc, argv);
}
