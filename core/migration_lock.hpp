#pragma once
// Serialises `mfo-db migrate` (and repair/baseline) runs, held for the
// lifetime of the object. On a single server: GET_LOCK('mfo_migrate'), which
// the server drops with the connection. On a Galera cluster GET_LOCK is per
// node, so two runs on two nodes would both get it: there the lock is a row
// in `schema_migration_lock`, inserted by autocommit and so certified by the
// whole cluster (only one insert can win), and deleted on release. A run
// killed while holding it leaves the row: the waiting run says who holds it
// since when and how to clear it.
//
// On Galera it also refuses to start on a node outside the Primary
// component, makes DDL run as total order isolation (replicated to every
// node at once) and makes this connection's reads causal.

#include <memory>
#include <ostream>

#include "database.hpp"

namespace mfo {

class MigrationLock {
  public:
    // Waits up to `timeout_seconds` (0: not at all) for another run's lock,
    // saying so on `log` (may be null). Throws MigrationError.
    MigrationLock(Database& db, int timeout_seconds, std::ostream* log);
    ~MigrationLock();
    MigrationLock(const MigrationLock&) = delete;
    MigrationLock& operator=(const MigrationLock&) = delete;

  private:
    Database& db_;
    bool cluster_ = false;
    std::string holder_;  // the row's holder (cluster lock)
};

// Throws MigrationError when `db` is a Galera node outside the Primary
// component (checked before each migration: DDL there would fail half-way).
void require_primary_component(Database& db);

}  // namespace mfo
