# The Debian package (scripts/package): CPack's DEB generator over the same
# install rules, dependencies from dpkg-shlibdeps. Production paths:
#   /usr/bin/mfo-{fcgi,db,users,roles}
#   /usr/share/mfo/{templates,static,sql/migrations}
#   /etc/mfo/{mfo.conf,access.conf,roles.conf}   conffiles
#   /lib/systemd/system/mfo-fcgi.service, /usr/lib/tmpfiles.d/mfo.conf,
#   /etc/logrotate.d/mfo, /usr/share/doc/mfo/{README.md,examples/}
# The packaged mfo.conf and unit are conf/'s, with the production values
# set below (a key that is no longer in conf/mfo.conf stops the build).

set(MFO_PKG_DIR ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${MFO_PKG_DIR})

# conf/mfo.conf with `key = value` set per section.
file(READ ${CMAKE_SOURCE_DIR}/conf/mfo.conf MFO_CONF_TEXT)
function(mfo_pkg_set section key value)
  string(FIND "${MFO_CONF_TEXT}" "[${section}]" at)
  if(at LESS 0)
    message(FATAL_ERROR "packaging: no [${section}] in conf/mfo.conf")
  endif()
  string(SUBSTRING "${MFO_CONF_TEXT}" 0 ${at} head)
  string(SUBSTRING "${MFO_CONF_TEXT}" ${at} -1 tail)
  string(REGEX MATCH "\n${key} =[^\n]*" found "${tail}")
  if(NOT found)
    message(FATAL_ERROR "packaging: no ${key} in [${section}] of conf/mfo.conf")
  endif()
  string(FIND "${tail}" "${found}" pos)
  string(LENGTH "${found}" len)
  string(SUBSTRING "${tail}" 0 ${pos} before)
  math(EXPR after_at "${pos} + ${len}")
  string(SUBSTRING "${tail}" ${after_at} -1 after)
  set(MFO_CONF_TEXT "${head}${before}\n${key} = ${value}${after}" PARENT_SCOPE)
endfunction()
mfo_pkg_set(app environment production)
mfo_pkg_set(app secret_key_file /etc/mfo/secret_key)
mfo_pkg_set(app templates_dir /usr/share/mfo/templates)
mfo_pkg_set(server listen unix:/run/mfo/mfo-fcgi.sock)
mfo_pkg_set(server pid_file /run/mfo/mfo-fcgi.pid)
mfo_pkg_set(server log_file /var/log/mfo/mfo-fcgi.log)
mfo_pkg_set(database socket /run/mysqld/mysqld.sock)
mfo_pkg_set(database password_file /etc/mfo/db_app_password)
mfo_pkg_set(database admin_password_file /etc/mfo/db_admin_password)
mfo_pkg_set(database migrations_dir /usr/share/mfo/sql/migrations)
file(WRITE ${MFO_PKG_DIR}/mfo.conf "${MFO_CONF_TEXT}")

file(READ ${CMAKE_SOURCE_DIR}/conf/systemd/mfo-fcgi.service MFO_UNIT_TEXT)
string(REPLACE "/usr/local/bin/" "/usr/bin/" MFO_UNIT_TEXT "${MFO_UNIT_TEXT}")
string(REPLACE "file:/opt/mfo/README.md" "file:/usr/share/doc/mfo/README.md" MFO_UNIT_TEXT
       "${MFO_UNIT_TEXT}")
string(REPLACE "/opt/mfo" "/usr/share/mfo" MFO_UNIT_TEXT "${MFO_UNIT_TEXT}")
file(WRITE ${MFO_PKG_DIR}/mfo-fcgi.service "${MFO_UNIT_TEXT}")

install(TARGETS mfo-fcgi mfo-db mfo-users mfo-roles RUNTIME DESTINATION bin)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/templates ${CMAKE_SOURCE_DIR}/static
        DESTINATION share/mfo)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/sql/migrations DESTINATION share/mfo/sql)
install(FILES ${MFO_PKG_DIR}/mfo.conf ${CMAKE_SOURCE_DIR}/conf/access.conf
              ${CMAKE_SOURCE_DIR}/conf/roles.conf
        DESTINATION /etc/mfo)
install(FILES ${MFO_PKG_DIR}/mfo-fcgi.service DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/tmpfiles.conf DESTINATION lib/tmpfiles.d
        RENAME mfo.conf)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/logrotate DESTINATION /etc/logrotate.d RENAME mfo)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/packaging/copyright
        DESTINATION share/doc/mfo)
# Written by scripts/package (version and date of the build). A native
# package (no Debian revision) has changelog.gz, not changelog.Debian.gz.
install(FILES ${MFO_PKG_DIR}/changelog.gz DESTINATION share/doc/mfo OPTIONAL)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/conf/nginx ${CMAKE_SOURCE_DIR}/conf/apache
        DESTINATION share/doc/mfo/examples
        PATTERN "dev-*" EXCLUDE)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mfo)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
# With DESTDIR installs CPack installs under CPACK_INSTALL_PREFIX, which
# defaults to CMAKE_INSTALL_PREFIX (/usr/local for a source install).
set(CPACK_INSTALL_PREFIX /usr)
# Who builds the package: set it to yourself (scripts/package passes
# MFO_PACKAGE_MAINTAINER through; it also signs the changelog).
set(MFO_PACKAGE_MAINTAINER "mfo maintainers <mfo@example.org>" CACHE STRING "Maintainer of the .deb")
set(CPACK_PACKAGE_CONTACT "${MFO_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "music festival organizer: FastCGI app with login and RBAC")
# CPack puts the summary first and indents each line of this by one space.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "mfo is a small web application with login and role-based access control,
written in C++ as a FastCGI worker pool behind nginx or Apache. The package
holds the pool (mfo-fcgi), the admin tools (mfo-db, mfo-users, mfo-roles),
the templates, static files and SQL migrations, the configuration in
/etc/mfo, a systemd unit and nginx and Apache examples.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, john-data")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nginx | apache2, logrotate")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mariadb-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
    GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_STRIP_FILES ON)
include(CPack)
