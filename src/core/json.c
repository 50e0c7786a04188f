/* json.c -- streaming pretty-printed JSON writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>

#include "core/json.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

#define JSON_MAX_DEPTH 64

struct metcn_json_s {
    kstring_t out;
    int depth;
    int count[JSON_MAX_DEPTH]; /* members written at each depth */
    char kind[JSON_MAX_DEPTH]; /* '{' or '[' */
    int status;
};

metcn_json_t *metcn_json_new(void)
{
    return calloc(1, sizeof(metcn_json_t));
}

void metcn_json_destroy(metcn_json_t *j)
{
    if (!j)
        return;
    free(j->out.s);
    free(j);
}

static void put_string(metcn_json_t *j, const char *s)
{
    kputc('"', &j->out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            kputs("\\\"", &j->out);
            break;
        case '\\':
            kputs("\\\\", &j->out);
            break;
        case '\n':
            kputs("\\n", &j->out);
            break;
        case '\t':
            kputs("\\t", &j->out);
            break;
        case '\r':
            kputs("\\r", &j->out);
            break;
        default:
            if (*p < 0x20)
                ksprintf(&j->out, "\\u%04x", *p);
            else
                kputc((char)*p, &j->out);
        }
    }
    kputc('"', &j->out);
}

/* Separator, indentation and key before a value. */
static void prefix(metcn_json_t *j, const char *key)
{
    if (j->depth > 0) {
        if (j->count[j->depth - 1]++ > 0)
            kputc(',', &j->out);
        kputc('\n', &j->out);
        for (int i = 0; i < j->depth; i++)
            kputs("  ", &j->out);
        if (j->kind[j->depth - 1] == '{') {
            put_string(j, key ? key : "");
            kputs(": ", &j->out);
        }
    }
}

static void open_container(metcn_json_t *j, const char *key, char kind)
{
    if (j->depth >= JSON_MAX_DEPTH) {
        j->status = METCN_E_ARG;
        return;
    }
    prefix(j, key);
    kputc(kind, &j->out);
    j->kind[j->depth] = kind;
    j->count[j->depth] = 0;
    j->depth++;
}

static void close_container(metcn_json_t *j, char kind)
{
    if (j->depth == 0 || j->kind[j->depth - 1] != kind) {
        j->status = METCN_E_ARG;
        return;
    }
    j->depth--;
    if (j->count[j->depth] > 0) {
        kputc('\n', &j->out);
        for (int i = 0; i < j->depth; i++)
            kputs("  ", &j->out);
    }
    kputc(kind == '{' ? '}' : ']', &j->out);
    if (j->depth == 0)
        kputc('\n', &j->out);
}

void metcn_json_begin_object(metcn_json_t *j, const char *key)
{
    open_container(j, key, '{');
}

void metcn_json_end_object(metcn_json_t *j)
{
    close_container(j, '{');
}

void metcn_json_begin_array(metcn_json_t *j, const char *key)
{
    open_container(j, key, '[');
}

void metcn_json_end_array(metcn_json_t *j)
{
    close_container(j, '[');
}

void metcn_json_str(metcn_json_t *j, const char *key, const char *value)
{
    prefix(j, key);
    if (value)
        put_string(j, value);
    else
        kputs("null", &j->out);
}

void metcn_json_num(metcn_json_t *j, const char *key, double value)
{
    prefix(j, key);
    if (!isfinite(value)) {
        kputs("null", &j->out);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.6g", value);
    kputs(buf, &j->out);
}

void metcn_json_int(metcn_json_t *j, const char *key, int64_t value)
{
    prefix(j, key);
    ksprintf(&j->out, "%lld", (long long)value);
}

void metcn_json_bool(metcn_json_t *j, const char *key, int value)
{
    prefix(j, key);
    kputs(value ? "true" : "false", &j->out);
}

void metcn_json_null(metcn_json_t *j, const char *key)
{
    prefix(j, key);
    kputs("null", &j->out);
}

const char *metcn_json_text(const metcn_json_t *j)
{
    return j->out.s ? j->out.s : "";
}

int metcn_json_status(const metcn_json_t *j)
{
    if (j->status)
        return j->status;
    return j->depth == 0 ? 0 : METCN_E_ARG;
}

int metcn_json_write(const metcn_json_t *j, const char *path)
{
    if (metcn_json_status(j))
        return metcn_set_error(METCN_E_ARG, "%s: internal error: unbalanced JSON document", path);
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return metcn_last_error_code();
    metcn_ofile_write(f, j->out.s ? j->out.s : "", j->out.l);
    return metcn_ofile_close(f, 1);
}
