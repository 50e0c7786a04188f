/* core.c -- error codes, per-thread last error, log hook, versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <htslib/hts.h>

#include "metcn/metcn.h"

static const struct {
    int code;
    const char *text;
} error_table[] = {
#define METCN_ERROR_ROW_(name, value, text) {value, text},
    METCN_ERRORS(METCN_ERROR_ROW_)
#undef METCN_ERROR_ROW_
};

const char *metcn_strerror(int code)
{
    for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++)
        if (error_table[i].code == code)
            return error_table[i].text;
    return "unknown error";
}

static _Thread_local int last_code;
/* Long enough for two paths of PATH_MAX and the text around them: a message is never cut. */
static _Thread_local char last_msg[9000];

int metcn_set_error(int code, const char *fmt, ...)
{
    last_code = code;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(last_msg, sizeof last_msg, fmt, ap);
        va_end(ap);
    } else {
        last_msg[0] = '\0';
    }
    return code;
}

const char *metcn_last_error(void)
{
    if (last_msg[0])
        return last_msg;
    return metcn_strerror(last_code);
}

int metcn_last_error_code(void)
{
    return last_code;
}

void metcn_clear_error(void)
{
    last_code = 0;
    last_msg[0] = '\0';
}

static void default_hook(metcn_log_level_t level, const char *msg, void *userdata)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    (void)userdata;
    fprintf(stderr, "[metcn] %s: %s\n", names[level], msg);
}

static metcn_log_hook_t log_hook = default_hook;
static void *log_userdata;
static metcn_log_level_t log_level = METCN_LOG_WARNING;

void metcn_log_set_hook(metcn_log_hook_t hook, void *userdata)
{
    log_hook = hook ? hook : default_hook;
    log_userdata = hook ? userdata : NULL;
}

void metcn_log_set_level(metcn_log_level_t level)
{
    log_level = level;
    /* htslib's own diagnostics follow: off by default (metcn reports failures itself, naming
     * the file), its warnings and errors at info (-v), its info lines at debug (-v -v). */
    hts_set_log_level(level >= METCN_LOG_DEBUG  ? HTS_LOG_INFO
                      : level >= METCN_LOG_INFO ? HTS_LOG_WARNING
                                                : HTS_LOG_OFF);
}

metcn_log_level_t metcn_log_get_level(void)
{
    return log_level;
}

void metcn_log(metcn_log_level_t level, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char buf[9000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_hook(level, buf, log_userdata);
}

void metcn_init(void)
{
    gsl_set_error_handler_off();
}

const char *metcn_version(void)
{
    return METCN_VERSION;
}

const char *metcn_htslib_version(void)
{
    return hts_version();
}

const char *metcn_gsl_version(void)
{
    return gsl_version;
}
