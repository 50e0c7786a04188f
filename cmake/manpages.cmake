# manpages.cmake -- generate metcn.1 and one metcn-<command>.1 per command from the binary's own
# --help text with help2man (run at build time by cmake/install.cmake):
#   cmake -DMETCN=path/to/metcn -DHELP2MAN=path/to/help2man -DOUT=dir -DVERSION=x.y.z -P manpages.cmake
# The commands are the ones `metcn --help` lists, so a new command gets its page with no edit
# here.  A command whose usage names sub-commands with help of their own (`metcn pon build`)
# gets that help appended to its page.  SOURCE_DATE_EPOCH, when set, fixes the date in the pages.
foreach(var METCN HELP2MAN OUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "manpages.cmake: -D${var}=... is required")
  endif()
endforeach()

function(help_text out_var)
  execute_process(COMMAND ${METCN} ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc
                  ERROR_QUIET)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    set(text "")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# help2man runs "<program> --help" and "<program> --version"; a tiny script stands in for
# "metcn <command>" so that the page is named metcn-<command>.
function(make_wrapper name text)
  # help2man's own conventions: further usage lines as "  or:  ...", and two-column lists of
  # sub-commands ("build  build a panel ...") indented so that they become tagged paragraphs.
  string(REGEX REPLACE "\n       (metcn )" "\n  or:  \\1" text "${text}")
  string(REGEX REPLACE "\n([a-z][a-z0-9-]*)(  +)" "\n  \\1\\2" text "${text}")
  string(REGEX REPLACE "\n       ([^ ])" "\n         \\1" text "${text}")
  file(WRITE ${OUT}/wrap/${name}.txt "${text}")
  file(WRITE ${OUT}/tmp/${name}
       "#!/bin/sh\nif [ \"$1\" = --version ]; then echo '${name} ${VERSION}'; "
       "else cat '${OUT}/wrap/${name}.txt'; fi\n")
  file(COPY ${OUT}/tmp/${name} DESTINATION ${OUT}/wrap
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
endfunction()

function(run_help2man program page desc include)
  execute_process(
    COMMAND ${HELP2MAN} --no-info --section=1 "--name=${desc}" "--source=metcn ${VERSION}"
            "--manual=metcn manual" "--include=${include}" "--output=${OUT}/${page}.1" ${program}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "manpages.cmake: help2man failed for ${page}: ${err}")
  endif()
endfunction()

file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/wrap ${OUT}/tmp)

help_text(top)
if(top STREQUAL "")
  message(FATAL_ERROR "manpages.cmake: '${METCN} --help' failed")
endif()
# "Commands:" block lines: two spaces, the name, spaces, the one-line description.
string(REPLACE ";" "," top_nosemi "${top}")
string(REGEX MATCHALL "\n  [a-z][a-z0-9-]*  +[^\n]*" rows "${top_nosemi}")
set(commands "")
set(see_also "")
foreach(row IN LISTS rows)
  string(REGEX REPLACE "^\n  ([a-z][a-z0-9-]*)  +([^\n]*)$" "\\1" cmd "${row}")
  string(REGEX REPLACE "^\n  ([a-z][a-z0-9-]*)  +([^\n]*)$" "\\2" desc "${row}")
  list(APPEND commands ${cmd})
  set(desc_${cmd} "${desc}")
  string(APPEND see_also ".BR metcn-${cmd} (1),\n")
endforeach()
if(NOT commands)
  message(FATAL_ERROR "manpages.cmake: no commands found in '${METCN} --help'")
endif()

file(WRITE ${OUT}/tmp/metcn.h2m
     "[EXIT STATUS]\n0 on success, 1 on a runtime error (one line naming the file and the problem "
     "on standard error), 2 on a usage error.\n"
     "[SEE ALSO]\n${see_also}.BR snakemake (1).\n.PP\n"
     "Each command's page: \\fBman metcn\\-\\fIcommand\\fR.  The documentation pages (method, "
     "formats, validation) are in the docs/ folder of the metcn sources.\n")
file(WRITE ${OUT}/tmp/command.h2m "[SEE ALSO]\n.BR metcn (1)\n")

make_wrapper(metcn "${top}")
run_help2man(${OUT}/wrap/metcn metcn "MET copy-number amplification from sequencing reads"
             ${OUT}/tmp/metcn.h2m)

foreach(cmd IN LISTS commands)
  help_text(text ${cmd})
  if(text STREQUAL "")
    message(FATAL_ERROR "manpages.cmake: '${METCN} ${cmd} --help' failed")
  endif()
  set(seen "${text}")
  string(REGEX MATCHALL "metcn ${cmd} [a-z][a-z0-9-]*" subs "${text}")
  list(REMOVE_DUPLICATES subs)
  foreach(sub IN LISTS subs)
    string(REGEX REPLACE "^metcn ${cmd} " "" sub "${sub}")
    help_text(subtext ${cmd} ${sub})
    if(NOT subtext STREQUAL "" AND NOT subtext STREQUAL text)
      string(FIND "${seen}" "${subtext}" at)
      if(at EQUAL -1)
        string(APPEND text "\nmetcn ${cmd} ${sub}:\n\n${subtext}")
        string(APPEND seen "${subtext}")
      endif()
    endif()
  endforeach()
  make_wrapper(metcn-${cmd} "${text}")
  run_help2man(${OUT}/wrap/metcn-${cmd} metcn-${cmd} "${desc_${cmd}}" ${OUT}/tmp/command.h2m)
endforeach()
file(REMOVE_RECURSE ${OUT}/tmp)
