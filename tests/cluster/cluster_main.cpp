// The cluster suite's one module definition (Boost.Test's main): mfo on a
// 3-node MariaDB Galera cluster with 2 pools behind one nginx, brought up by
// scripts/test --cluster (scripts/cluster). Its cases run in file order:
// the cross-pool checks first, the failover run under load last.
#define BOOST_TEST_MODULE mfo_cluster_tests
#include <boost/test/unit_test.hpp>
