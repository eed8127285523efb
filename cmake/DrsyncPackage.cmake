# Debian packages with CPack (`cpack -G DEB` in the build directory; tests/packages/check):
#   libdrsync0     the shared library                         (install component runtime)
#   libdrsync-dev  headers, libdrsync.so, libdrsync.a, CMake package, pkg-config files (dev)
#   drsync         the command line, kubectl-drsync, man page, completion (cli)
#   drsync-controller  the controller and the manifests of deploy/ (controller)
# Dependencies on Debian's libraries come from dpkg-shlibdeps; libdrsync-dev depends on the
# -dev packages a consumer of its headers and of the static archive needs.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME drsync)
set(CPACK_PACKAGE_VENDOR "libdrsync")
set(CPACK_PACKAGE_CONTACT "libdrsync maintainers <drsync@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps finds the drsync package's libdrsync.so.0 in the runtime component's staging
# folder (cpack run in the build directory, its default).
set(CPACK_PACKAGE_FILE_NAME drsync-${PROJECT_VERSION}-Linux)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
    ${PROJECT_BINARY_DIR}/_CPack_Packages/Linux/DEB/${CPACK_PACKAGE_FILE_NAME}/runtime/usr/${CMAKE_INSTALL_LIBDIR})
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_COMPONENTS_ALL runtime dev)
if(DRSYNC_BUILD_CLI)
  list(APPEND CPACK_COMPONENTS_ALL cli)
endif()
if(DRSYNC_BUILD_CONTROLLER)
  list(APPEND CPACK_COMPONENTS_ALL controller)
endif()

set(CPACK_COMPONENT_DEV_DEPENDS runtime)
set(CPACK_COMPONENT_CLI_DEPENDS runtime)
set(CPACK_COMPONENT_CONTROLLER_DEPENDS runtime)
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_NAME drsync-controller)
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libdrsync${DRSYNC_SOVERSION})
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libdrsync-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "rapidjson-dev, libcurl4-openssl-dev (>= 7.77), libssl-dev (>= 3), libyaml-cpp-dev, libfmt-dev")
set(CPACK_DEBIAN_CLI_PACKAGE_NAME drsync)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "libdrsync: Kubernetes disaster recovery between two clusters (shared library)")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "libdrsync: headers, static archive, CMake and pkg-config files")
set(CPACK_COMPONENT_CLI_DESCRIPTION
    "drsync: the command line (a drop-in for dr-syncer-cli) and the kubectl plugin")
set(CPACK_COMPONENT_CONTROLLER_DESCRIPTION
    "drsync-controller: DR-Syncer's custom resources reconciled with libdrsync (docs/controller.md)")
include(CPack)
