/* commands.h -- entry points of the subcommands (one file each, src/cli/cmd_<name>.c).
 * argv[0] is the command name; each returns the process exit code. */
#ifndef METCN_COMMANDS_H
#define METCN_COMMANDS_H

int metcn_main_panel(int argc, char **argv);
int metcn_main_coverage(int argc, char **argv);
int metcn_main_pon(int argc, char **argv);
int metcn_main_call(int argc, char **argv);
int metcn_main_concordance(int argc, char **argv);
int metcn_main_dilute(int argc, char **argv);
int metcn_main_track(int argc, char **argv);

#endif
