# Install rules (DRSYNC_INSTALL, on when top-level): the library, its headers, a CMake package
# (find_package(drsync): drsync::drsync, and with COMPONENTS static drsync::drsync_static) and
# pkg-config files (drsync, drsync-static). tests/install/check builds consumers of all of them.
set(DRSYNC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/drsync)

# Install components (the Debian packages of cmake/DrsyncPackage.cmake): runtime (the shared
# library), dev (headers, the .so link, the archive, CMake and pkg-config files), cli (cli/).
install(TARGETS drsync EXPORT drsyncTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(EXPORT drsyncTargets NAMESPACE drsync:: DESTINATION ${DRSYNC_CMAKE_DIR} COMPONENT dev)
if(TARGET drsync_static)
  install(TARGETS drsync_static EXPORT drsyncStaticTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
  install(EXPORT drsyncStaticTargets NAMESPACE drsync:: DESTINATION ${DRSYNC_CMAKE_DIR}
          COMPONENT dev)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/drsync DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev)
install(FILES ${PROJECT_SOURCE_DIR}/capi/drsync.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/drsync
        COMPONENT dev)

if(DRSYNC_BUILD_SHARED)
  set(DRSYNC_LIBRARY_KIND "shared: libdrsync.so")
else()
  set(DRSYNC_LIBRARY_KIND "static: libdrsync.a")
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/drsyncConfig.cmake.in ${PROJECT_BINARY_DIR}/drsyncConfig.cmake
                              INSTALL_DESTINATION ${DRSYNC_CMAKE_DIR})
# Source compatibility of the C++ API holds within a minor version (docs/c-api.md).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/drsyncConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/drsyncConfig.cmake ${PROJECT_BINARY_DIR}/drsyncConfigVersion.cmake
        DESTINATION ${DRSYNC_CMAKE_DIR} COMPONENT dev)

# pkg-config files.
#   drsync         the library as built (-ldrsync), with the usual convention for its dependencies:
#                  Requires.private / Libs.private, which `pkg-config --static` adds (a static
#                  build also adds -DDRSYNC_STATIC to the Cflags).
#   drsync-static  the static archive libdrsync.a, whichever way the library was built. Linking
#                  the archive always needs its dependencies, so they are in Requires / Libs:
#                  `pkg-config --libs drsync-static` links libdrsync statically against the system's
#                  shared curl, OpenSSL, yaml-cpp and fmt; `--static` also walks their own private
#                  dependencies, for a fully static program.
# RapidJSON is in Requires of both: the public C++ headers include it (header-only).
set(DRSYNC_PC_DEPENDENCIES "libcurl openssl yaml-cpp fmt")
set(DRSYNC_PC_SYSTEM_LIBS "-lstdc++ -pthread")
function(drsync_pkg_config name libs static private)
  set(DRSYNC_PC_NAME ${name})
  set(DRSYNC_PC_DESCRIPTION "${PROJECT_DESCRIPTION}")
  set(DRSYNC_PC_REQUIRES "RapidJSON")
  set(DRSYNC_PC_LIBS "${libs}")
  set(DRSYNC_PC_CFLAGS "")
  set(DRSYNC_PC_PRIVATE "")
  if(static)
    set(DRSYNC_PC_CFLAGS " -DDRSYNC_STATIC")
  endif()
  if(private)
    set(DRSYNC_PC_PRIVATE
        "Requires.private: ${DRSYNC_PC_DEPENDENCIES}\nLibs.private: ${DRSYNC_PC_SYSTEM_LIBS}\n")
  else()
    string(APPEND DRSYNC_PC_REQUIRES " ${DRSYNC_PC_DEPENDENCIES}")
    string(APPEND DRSYNC_PC_LIBS " ${DRSYNC_PC_SYSTEM_LIBS}")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/drsync.pc.in ${PROJECT_BINARY_DIR}/${name}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${name}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
          COMPONENT dev)
endfunction()
if(DRSYNC_BUILD_SHARED)
  drsync_pkg_config(drsync "-L\${libdir} -ldrsync" OFF ON)
else()
  drsync_pkg_config(drsync "-L\${libdir} -ldrsync" ON ON)
endif()
drsync_pkg_config(drsync-static "\${libdir}/libdrsync.a" ON OFF)
