/* json.h -- a small streaming JSON writer (pretty-printed, 2-space indent).
 * Non-finite numbers are written as null, never as NaN. Keys are ignored inside arrays. */
#ifndef METCN_CORE_JSON_H
#define METCN_CORE_JSON_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct metcn_json_s metcn_json_t;

/** New writer; caller frees with metcn_json_destroy(). NULL on allocation failure. */
metcn_json_t *metcn_json_new(void);
void metcn_json_destroy(metcn_json_t *j);

/* key is the member name inside an object, NULL inside an array or at the top level. */
void metcn_json_begin_object(metcn_json_t *j, const char *key);
void metcn_json_end_object(metcn_json_t *j);
void metcn_json_begin_array(metcn_json_t *j, const char *key);
void metcn_json_end_array(metcn_json_t *j);
void metcn_json_str(metcn_json_t *j, const char *key, const char *value); /* NULL -> null */
void metcn_json_num(metcn_json_t *j, const char *key, double value);      /* %.6g; NaN -> null */
void metcn_json_int(metcn_json_t *j, const char *key, int64_t value);
void metcn_json_bool(metcn_json_t *j, const char *key, int value);
void metcn_json_null(metcn_json_t *j, const char *key);

/** The document so far (borrowed). */
const char *metcn_json_text(const metcn_json_t *j);
/** 0 when every call succeeded and all containers are closed, else METCN_E_NOMEM/ARG. */
int metcn_json_status(const metcn_json_t *j);
/** Write the document atomically to path ("-" for stdout). Returns 0 or a negative code. */
int metcn_json_write(const metcn_json_t *j, const char *path);

#ifdef __cplusplus
}
#endif
#endif
