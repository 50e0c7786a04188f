# cpack.cmake -- `cpack -G DEB` in a build directory makes metcn_<version>_<arch>.deb from the
# install rules (cmake/install.cmake).  Configure the build for packaging with
#   cmake -S . -B build-pkg -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF
# so that GNUInstallDirs picks Debian's multiarch library directory.  The package's Depends are
# derived from the ELF files by dpkg-shlibdeps (libc6, libhts3, libgsl27, libgslcblas0 on
# Debian 12); .ci/package.sh checks them.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "metcn")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "metcn developers")
set(METCN_PACKAGE_MAINTAINER "metcn developers <metcn@invalid>"
    CACHE STRING "Maintainer field of the .deb (Name <address>)")
set(CPACK_PACKAGE_CONTACT "${METCN_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "MET copy-number amplification from sequencing reads")
set(CPACK_PACKAGE_DESCRIPTION
    "metcn calls MET amplification from aligned reads (panel, exome, genome or cell-free DNA)
against a panel of normals built from a lab's own normal samples: gene copy number per tumour
cell with its interval, the chromosome-7 control level, the FISH-like ratio and tier, pattern
and QC.  This package holds the metcn tool with its man pages and bash completion, the libmetcn
library (static and shared) with its headers and pkg-config file, and the Snakemake workflow
for cohorts (/usr/share/metcn/workflow).")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES OFF)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Search the build tree for libmetcn.so when dpkg-shlibdeps meets it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR})
# Declares libmetcn.so.0 in the package's shlibs file and runs ldconfig on install (a trigger).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# The development side needs the headers of htslib (public headers include <htslib/sam.h>);
# the workflow needs snakemake and multiqc.  Neither is needed to run the tool.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libhts-dev, libgsl-dev, pkg-config, snakemake, multiqc")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion")

include(CPack)
