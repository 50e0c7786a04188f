# install.cmake -- what `cmake --install` puts where, included at the end of CMakeLists.txt
# (after the targets exist).  Debian-style layout under CMAKE_INSTALL_PREFIX:
#   bin/metcn                                   the tool (libmetcn linked in statically)
#   lib[/<multiarch>]/libmetcn.a, libmetcn.so.0 the library (shared one only with METCN_SHARED)
#   lib[/<multiarch>]/pkgconfig/metcn.pc        pkg-config file (relocatable: ${pcfiledir})
#   include/metcn/*.h                           public headers
#   share/man/man1/metcn.1, metcn-<cmd>.1       man pages generated from --help (help2man)
#   share/bash-completion/completions/metcn     bash completion
#   share/metcn/workflow/                       the Snakemake workflow (docs/workflow.md)
# docs/install.md describes it; cmake/cpack.cmake turns it into a .deb.
include(GNUInstallDirs)

# Off by default in sanitizer and fuzzing builds: clang does not link its sanitizer runtimes
# into shared libraries, so libmetcn.so would not link with --no-undefined there.
if(METCN_FUZZ OR METCN_SANITIZE)
  set(METCN_SHARED_DEFAULT OFF)
else()
  set(METCN_SHARED_DEFAULT ON)
endif()
option(METCN_SHARED "Also build the shared library libmetcn.so (exports metcn_* only)"
       ${METCN_SHARED_DEFAULT})
option(METCN_MANPAGES "Generate man pages from --help with help2man at build time" ON)

# --- the shared library: the same sources as metcn_lib, compiled position-independent.  The
# tool and the tests keep linking the static library (no run-time path, no PIC in the hot loop).
if(METCN_SHARED)
  add_library(metcn_shared SHARED ${METCN_LIB_SOURCES} ${METCN_PANEL_C})
  set_target_properties(metcn_shared PROPERTIES
    OUTPUT_NAME metcn
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}
    LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/libmetcn.map)
  target_include_directories(metcn_shared PUBLIC ${PROJECT_SOURCE_DIR}/include
                             PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(metcn_shared PRIVATE PkgConfig::HTSLIB PkgConfig::GSL m Threads::Threads)
  # Only the public API (metcn_*) is exported; module-private helpers stay inside.
  target_link_options(metcn_shared PRIVATE
    "LINKER:--version-script=${PROJECT_SOURCE_DIR}/cmake/libmetcn.map" "LINKER:--no-undefined")
endif()

install(TARGETS metcn RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS metcn_lib ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(METCN_SHARED)
  install(TARGETS metcn_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/metcn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")

# --- pkg-config: prefix found from the .pc file's own place, so a staged or relocated install
# (DESTDIR, cpack, --prefix at install time) needs no rewriting.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(METCN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(METCN_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" up "${up}")
  set(METCN_PC_PREFIX "\${pcfiledir}/${up}")
  set(METCN_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(METCN_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(METCN_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/metcn.pc.in ${PROJECT_BINARY_DIR}/metcn.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/metcn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# --- man pages: metcn.1 and metcn-<command>.1 for every command `metcn --help` lists,
# regenerated whenever the binary is relinked, so they always say what the binary says.
find_program(HELP2MAN_EXECUTABLE help2man)
if(METCN_MANPAGES AND HELP2MAN_EXECUTABLE AND NOT CMAKE_CROSSCOMPILING)
  set(METCN_MAN_DIR ${PROJECT_BINARY_DIR}/man)
  add_custom_command(
    OUTPUT ${METCN_MAN_DIR}/metcn.1
    COMMAND ${CMAKE_COMMAND} -DMETCN=$<TARGET_FILE:metcn> -DHELP2MAN=${HELP2MAN_EXECUTABLE}
            -DOUT=${METCN_MAN_DIR} -DVERSION=${PROJECT_VERSION}
            -P ${PROJECT_SOURCE_DIR}/cmake/manpages.cmake
    DEPENDS metcn ${PROJECT_SOURCE_DIR}/cmake/manpages.cmake
    COMMENT "Generating man pages with help2man")
  add_custom_target(metcn_man ALL DEPENDS ${METCN_MAN_DIR}/metcn.1)
  install(DIRECTORY ${METCN_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
          FILES_MATCHING PATTERN "*.1" PATTERN "wrap" EXCLUDE)
elseif(METCN_MANPAGES)
  message(WARNING "help2man not found: no man pages will be installed (apt-get install help2man)")
endif()

install(FILES ${PROJECT_SOURCE_DIR}/cmake/metcn.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME metcn)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/workflow/ DESTINATION ${CMAKE_INSTALL_DATADIR}/metcn/workflow
        USE_SOURCE_PERMISSIONS PATTERN "__pycache__" EXCLUDE PATTERN ".snakemake" EXCLUDE)

include(${PROJECT_SOURCE_DIR}/cmake/cpack.cmake)
