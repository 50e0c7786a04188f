/* fuzz_common.h -- shared by the libFuzzer harnesses (fuzz/README in docs/reliability.md).
 *
 * The loaders take paths, so each input is written to a file in a private directory (on
 * /dev/shm when there is one) under the name the harness gives it; the directory goes at exit.
 * Nothing here may print: metcn's errors are recorded, htslib's log is switched off. */
#ifndef METCN_FUZZ_COMMON_H
#define METCN_FUZZ_COMMON_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <htslib/hts_log.h>

#include "metcn/metcn.h"
#include "metcn/panel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_UNUSED __attribute__((unused))

static char fuzz_dir[256];

FUZZ_UNUSED static void fuzz_cleanup(void)
{
    DIR *d = fuzz_dir[0] ? opendir(fuzz_dir) : NULL;
    struct dirent *e;
    char path[600];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    if (fuzz_dir[0])
        rmdir(fuzz_dir);
}

static void fuzz_quiet(metcn_log_level_t level, const char *msg, void *ud)
{
    (void)level;
    (void)msg;
    (void)ud;
}

/* Once per process: metcn and htslib quiet (warnings per input would cost more than the
 * parsing), the work directory made. */
FUZZ_UNUSED static void fuzz_init(void)
{
    if (fuzz_dir[0])
        return;
    metcn_init();
    metcn_log_set_hook(fuzz_quiet, NULL);
    hts_set_log_level(HTS_LOG_OFF);
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/metcn-fuzz.XXXXXX", base);
    if (!mkdtemp(fuzz_dir))
        abort();
    atexit(fuzz_cleanup);
}

/* Path of a file called name in the work directory (a static buffer per call site slot). */
FUZZ_UNUSED static const char *fuzz_path(const char *name)
{
    static char buf[4][512];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", fuzz_dir, name);
    return b;
}

/* Write size bytes to the file called name; returns its path. */
FUZZ_UNUSED static const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(name);
    FILE *fp = fopen(path, "wb");
    if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0)
        abort();
    return path;
}

/* A panel loaded once from BED text written to the file called name (aborts on failure). */
FUZZ_UNUSED static metcn_panel_t *fuzz_panel(const char *name, const char *bed)
{
    metcn_panel_opt_t opt;
    metcn_panel_opt_init(&opt);
    metcn_panel_t *p =
        metcn_panel_load(fuzz_file(name, (const uint8_t *)bed, strlen(bed)), &opt, NULL);
    if (!p)
        abort();
    return p;
}

/* NUL-terminated copy of the input (caller frees). */
FUZZ_UNUSED static char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
