/* output.c -- crash-safe outputs: files written under temporary names and renamed when complete,
 * output sets committed together, and a registry of temporaries that a signal handler can
 * remove (docs/reliability.md).
 *
 * The registry is a singly linked list whose nodes are published with atomic stores and never
 * changed after that except for their atomic state, so the signal handler can walk it without a
 * lock from any thread.  Mutators take reg_lock among themselves.  A node unlinked from the list
 * is freed only when no handler has started (reg_dying): a handler that started earlier may still
 * be reading it, and the process is about to end anyway. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <htslib/bgzf.h>

#include "metcn/metcn.h"
#include "metcn/util.h"

/* ---- the registry of temporaries ---------------------------------------------------------- */

enum {
    CLEAN_NONE = 0, /* nothing to remove (committed, or discarded already) */
    CLEAN_TMP = 1,  /* remove the temporary */
    CLEAN_BOTH = 2  /* remove the temporary and the final name (a commit is under way) */
};

typedef struct tmpnode_s {
    struct tmpnode_s *_Atomic next;
    atomic_int state;
    pid_t pid;   /* the process that made it: a forked child never removes its parent's */
    char *tmp;   /* both strings live in the node's own allocation */
    char *final; /* the name it is renamed to */
} tmpnode_t;

static tmpnode_t *_Atomic reg_head;
static atomic_int reg_dying;
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

/* Publish a node for tmp -> final; NULL on allocation failure. */
static tmpnode_t *reg_add(const char *tmp, const char *final)
{
    size_t lt = strlen(tmp) + 1, lf = strlen(final) + 1;
    tmpnode_t *n = malloc(sizeof *n + lt + lf);
    if (!n)
        return NULL;
    n->tmp = (char *)(n + 1);
    n->final = n->tmp + lt;
    memcpy(n->tmp, tmp, lt);
    memcpy(n->final, final, lf);
    n->pid = getpid();
    atomic_init(&n->state, CLEAN_TMP);
    pthread_mutex_lock(&reg_lock);
    atomic_init(&n->next, atomic_load(&reg_head));
    atomic_store(&reg_head, n);
    pthread_mutex_unlock(&reg_lock);
    return n;
}

/* Unlink a node from the registry and free it (the files are the caller's business). */
static void reg_remove(tmpnode_t *n)
{
    if (!n)
        return;
    atomic_store(&n->state, CLEAN_NONE);
    pthread_mutex_lock(&reg_lock);
    tmpnode_t *_Atomic *link = &reg_head;
    for (tmpnode_t *p = atomic_load(link); p; p = atomic_load(link)) {
        if (p == n) {
            atomic_store(link, atomic_load(&n->next));
            break;
        }
        link = &p->next;
    }
    pthread_mutex_unlock(&reg_lock);
    if (!atomic_load(&reg_dying))
        free(n);
}

static const int cleanup_signals[] = {SIGHUP, SIGINT, SIGTERM, SIGPIPE};
#define N_CLEANUP_SIGNALS (sizeof cleanup_signals / sizeof cleanup_signals[0])

/* Only async-signal-safe calls: getpid, unlink, sigaction, raise, pause. */
static void on_signal(int sig)
{
    if (atomic_exchange(&reg_dying, 1)) {
        for (;;) /* another thread is cleaning up and will end the process */
            pause();
    }
    pid_t me = getpid();
    for (tmpnode_t *n = atomic_load(&reg_head); n; n = atomic_load(&n->next)) {
        int st = atomic_load(&n->state);
        if (n->pid != me || st == CLEAN_NONE)
            continue;
        unlink(n->tmp);
        if (st == CLEAN_BOTH)
            unlink(n->final);
    }
    /* Die of the signal itself, so that the parent sees it (a shell reports 128 + signal:
     * 130 for SIGINT, 143 for SIGTERM).  The signal is blocked while this handler runs, so
     * the raised one is delivered, with the default action, as the handler returns. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

int metcn_output_cleanup_on_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_CLEANUP_SIGNALS; i++)
        sigaddset(&sa.sa_mask, cleanup_signals[i]);
    for (size_t i = 0; i < N_CLEANUP_SIGNALS; i++) {
        struct sigaction old;
        if (sigaction(cleanup_signals[i], NULL, &old) != 0)
            return metcn_set_error(METCN_E_ARG, "cannot query signal %d", cleanup_signals[i]);
        if (old.sa_handler == SIG_IGN) /* nohup, or a background job: keep ignoring it */
            continue;
        if (sigaction(cleanup_signals[i], &sa, NULL) != 0)
            return metcn_set_error(METCN_E_ARG, "cannot handle signal %d", cleanup_signals[i]);
    }
    return 0;
}

/* ---- how a path is written ---------------------------------------------------------------- */

enum { KIND_TEMP = 0, KIND_STDOUT = 1, KIND_THROUGH = 2 };

/* Regular files (and names that do not exist yet) are written under a temporary name; "-",
 * devices, FIFOs and sockets, and anything under /dev or /proc, are written through (never
 * renamed over); a directory is refused. */
static int output_kind(const char *path)
{
    if (!path || !*path)
        return metcn_set_error(METCN_E_ARG, "empty output file name");
    if (strcmp(path, "-") == 0)
        return KIND_STDOUT;
    size_t len = strlen(path);
    struct stat st;
    if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0) {
        /* /dev/stdout may lead to a regular file the shell opened: still written through; a
         * name there that does not exist is a mistake, not a file to create */
        if (stat(path, &st) != 0)
            return metcn_set_error(METCN_E_IO,
                                   "%s: no such device (outputs under /dev and "
                                   "/proc must exist)",
                                   path);
        if (S_ISDIR(st.st_mode))
            return metcn_set_error(METCN_E_IO, "%s: is a directory, not an output file", path);
        return KIND_THROUGH;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return metcn_set_error(METCN_E_IO, "%s: is a directory, not an output file", path);
        return S_ISREG(st.st_mode) ? KIND_TEMP : KIND_THROUGH;
    }
    if (path[len - 1] == '/')
        return metcn_set_error(METCN_E_IO, "%s: names a directory, not an output file", path);
    return KIND_TEMP;
}

/* The directory path's files go to (its part up to the last '/', else ".") is writable. */
static int dir_writable(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
    if (!dir)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    int r = 0;
    if (access(dir, W_OK | X_OK) != 0)
        r = metcn_set_error(METCN_E_IO, "%s: cannot write there: %s", path, strerror(errno));
    free(dir);
    return r;
}

int metcn_output_check(const char *path)
{
    int kind = output_kind(path);
    if (kind < 0)
        return kind;
    return kind == KIND_TEMP ? dir_writable(path) : 0;
}

int metcn_output_prefix_check(const char *prefix)
{
    if (!prefix || !*prefix)
        return metcn_set_error(METCN_E_ARG, "empty output prefix");
    return dir_writable(prefix);
}

/* Create and register a new temporary beside final: "<final>.tmp.<pid>" (with ".<k>" added if
 * that exists), or "<dir>/.metcn.<pid>.<k>.tmp" when the name would be too long.  Returns the
 * node and the open descriptor in *fd, or NULL with the error recorded. */
static tmpnode_t *tmp_create(const char *final, int *fd)
{
    size_t len = strlen(final);
    const char *slash = strrchr(final, '/');
    size_t dirlen = slash ? (size_t)(slash - final) + 1 : 0;
    size_t cap = len + 64;
    char *name = malloc(cap);
    if (!name) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", final);
        return NULL;
    }
    long pid = (long)getpid();
    int short_form = len - dirlen + 32 > NAME_MAX, reported = 0;
    for (int k = 0; k < 1000 && !reported; k++) {
        if (!short_form && k == 0)
            snprintf(name, cap, "%s.tmp.%ld", final, pid);
        else if (!short_form)
            snprintf(name, cap, "%s.tmp.%ld.%d", final, pid, k);
        else
            snprintf(name, cap, "%.*s.metcn.%ld.%d.tmp", (int)dirlen, final, pid, k);
        /* registered before it exists, so that no signal can leave it behind */
        tmpnode_t *n = reg_add(name, final);
        if (!n) {
            reported = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", final);
            break;
        }
        *fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (*fd >= 0) {
            free(name);
            return n;
        }
        int e = errno;
        atomic_store(&n->state, CLEAN_NONE); /* not ours: never remove it */
        reg_remove(n);
        if (e == ENAMETOOLONG && !short_form) {
            short_form = 1;
            k = -1;
            continue;
        }
        if (e != EEXIST)
            reported =
                metcn_set_error(METCN_E_IO, "%s: cannot open for writing: %s", final, strerror(e));
    }
    if (!reported)
        metcn_set_error(METCN_E_IO, "%s: cannot find a free temporary name", final);
    free(name);
    return NULL;
}

/* fsync a written temporary, so that a crash after the rename cannot leave an empty file. */
static int sync_file(const char *tmp, const char *final)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return metcn_set_error(METCN_E_IO, "%s: temporary file vanished: %s", final,
                               strerror(errno));
    int r = fsync(fd);
    int e = errno;
    close(fd);
    if (r != 0 && e != EINVAL && e != EROFS)
        return metcn_set_error(METCN_E_IO, "%s: write failed: %s", final, strerror(e));
    return 0;
}

/* ---- output sets ---------------------------------------------------------------------------- */

enum {
    SLOT_OPEN,      /* a metcn_ofile_t still being written */
    SLOT_WRITTEN,   /* closed with commit: renamed when the set commits */
    SLOT_EXTERNAL,  /* from metcn_outset_add(): written by other means, renamed at commit */
    SLOT_DISCARDED, /* closed without commit, or written through: nothing to do */
    SLOT_REMOVE     /* metcn_outset_remove(): unlinked at commit */
};

typedef struct {
    int state;
    tmpnode_t *node; /* NULL when written through or a removal */
    char *path;      /* final name (owned) */
} slot_t;

struct metcn_outset_s {
    slot_t *slots;
    size_t n, cap;
    int depth;  /* nested begin() calls still to be matched */
    int failed; /* an inner level aborted */
};

static metcn_outset_t *current_set; /* under reg_lock */

metcn_outset_t *metcn_outset_begin(void)
{
    pthread_mutex_lock(&reg_lock);
    metcn_outset_t *s = current_set;
    if (s) {
        s->depth++;
    } else if ((s = calloc(1, sizeof *s)) != NULL) {
        s->depth = 1;
        current_set = s;
    }
    pthread_mutex_unlock(&reg_lock);
    if (!s)
        metcn_set_error(METCN_E_NOMEM, "out of memory");
    return s;
}

/* Add a slot (reg_lock held by the caller); returns its index or -1. A final name may appear
 * once per set: two outputs of one run with one name would overwrite each other. */
static long slot_add(metcn_outset_t *s, int state, tmpnode_t *node, const char *path)
{
    if (state != SLOT_REMOVE)
        for (size_t i = 0; i < s->n; i++)
            if (s->slots[i].state != SLOT_DISCARDED && s->slots[i].state != SLOT_REMOVE &&
                strcmp(s->slots[i].path, path) == 0) {
                metcn_set_error(METCN_E_ARG, "%s: written twice in one run", path);
                return -1;
            }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        slot_t *p = realloc(s->slots, cap * sizeof *p);
        if (!p) {
            metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
            return -1;
        }
        s->slots = p;
        s->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        return -1;
    }
    s->slots[s->n] = (slot_t){state, node, copy};
    return (long)s->n++;
}

/* Check that path may join the current set (before any file is made). */
static int slot_check(const char *path)
{
    int r = 0;
    pthread_mutex_lock(&reg_lock);
    metcn_outset_t *s = current_set;
    for (size_t i = 0; s && i < s->n; i++)
        if (s->slots[i].state != SLOT_DISCARDED && s->slots[i].state != SLOT_REMOVE &&
            strcmp(s->slots[i].path, path) == 0)
            r = metcn_set_error(METCN_E_ARG, "%s: written twice in one run", path);
    pthread_mutex_unlock(&reg_lock);
    return r;
}

const char *metcn_outset_add(metcn_outset_t *s, const char *path)
{
    int kind = output_kind(path);
    if (kind < 0)
        return NULL;
    if (kind == KIND_STDOUT) {
        metcn_set_error(METCN_E_ARG, "%s: standard output cannot take this output", path);
        return NULL;
    }
    if (slot_check(path) != 0)
        return NULL;
    tmpnode_t *node = NULL;
    if (kind == KIND_TEMP) {
        int fd = -1;
        if (!(node = tmp_create(path, &fd)))
            return NULL;
        close(fd);
    }
    pthread_mutex_lock(&reg_lock);
    long i = slot_add(s, kind == KIND_TEMP ? SLOT_EXTERNAL : SLOT_DISCARDED, node, path);
    const char *ret = i < 0 ? NULL : node ? node->tmp : s->slots[i].path;
    pthread_mutex_unlock(&reg_lock);
    if (i < 0 && node) {
        unlink(node->tmp);
        reg_remove(node);
    }
    return ret;
}

int metcn_outset_remove(metcn_outset_t *s, const char *path)
{
    pthread_mutex_lock(&reg_lock);
    long i = slot_add(s, SLOT_REMOVE, NULL, path);
    pthread_mutex_unlock(&reg_lock);
    return i < 0 ? metcn_last_error_code() : 0;
}

/* Remove every temporary of the set and free it. */
static void set_destroy(metcn_outset_t *s, int unlink_tmp)
{
    for (size_t i = 0; i < s->n; i++) {
        slot_t *sl = &s->slots[i];
        if (sl->node) {
            if (unlink_tmp)
                unlink(sl->node->tmp);
            reg_remove(sl->node);
        }
        free(sl->path);
    }
    free(s->slots);
    free(s);
}

/* Leave the set: returns 1 when this was the outermost level (the caller finishes it). */
static int set_leave(metcn_outset_t *s, int failed)
{
    pthread_mutex_lock(&reg_lock);
    if (failed)
        s->failed = 1;
    int last = --s->depth == 0;
    if (last && current_set == s)
        current_set = NULL;
    pthread_mutex_unlock(&reg_lock);
    return last;
}

void metcn_outset_abort(metcn_outset_t *s)
{
    if (s && set_leave(s, 1))
        set_destroy(s, 1);
}

int metcn_outset_commit(metcn_outset_t *s)
{
    if (!s)
        return metcn_set_error(METCN_E_ARG, "no output set to commit");
    if (!set_leave(s, 0))
        return s->failed ? metcn_set_error(METCN_E_IO, "output not committed: a part of it "
                                                       "failed")
                         : 0;
    int r = 0;
    if (s->failed)
        r = metcn_set_error(METCN_E_IO, "output not committed: a part of it failed");
    /* everything written and on disk before the first rename */
    for (size_t i = 0; r == 0 && i < s->n; i++) {
        slot_t *sl = &s->slots[i];
        if (sl->state == SLOT_OPEN)
            r = metcn_set_error(METCN_E_ARG, "%s: still being written at commit", sl->path);
        else if (sl->state == SLOT_WRITTEN || sl->state == SLOT_EXTERNAL)
            r = sync_file(sl->node->tmp, sl->path);
    }
    size_t done = 0;
    for (; r == 0 && done < s->n; done++) {
        slot_t *sl = &s->slots[done];
        if (sl->state != SLOT_WRITTEN && sl->state != SLOT_EXTERNAL)
            continue;
        atomic_store(&sl->node->state, CLEAN_BOTH);
        if (rename(sl->node->tmp, sl->path) != 0) {
            int e = errno;
            atomic_store(&sl->node->state, CLEAN_TMP);
            r = metcn_set_error(METCN_E_IO, "%s: cannot rename the temporary file: %s", sl->path,
                                strerror(e));
            break;
        }
    }
    if (r != 0) {
        /* take back what this commit renamed: none of the set stays */
        for (size_t i = 0; i < done && i < s->n; i++) {
            slot_t *sl = &s->slots[i];
            if (sl->state == SLOT_WRITTEN || sl->state == SLOT_EXTERNAL)
                unlink(sl->path);
        }
        set_destroy(s, 1);
        return r;
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->slots[i].state == SLOT_REMOVE && unlink(s->slots[i].path) != 0 && errno != ENOENT)
            metcn_log(METCN_LOG_WARNING, "%s: cannot remove: %s", s->slots[i].path,
                      strerror(errno));
    set_destroy(s, 0);
    return 0;
}

/* ---- output files --------------------------------------------------------------------------- */

struct metcn_ofile_s {
    char *path;          /* final name */
    tmpnode_t *node;     /* its temporary, NULL when written through */
    metcn_outset_t *set; /* the set it joined, or NULL */
    long slot;
    BGZF *bgzf; /* compressed output */
    FILE *fp;   /* plain output */
    int failed; /* errno of the first failed write, or -1 */
};

metcn_ofile_t *metcn_ofile_open(const char *path)
{
    int kind = output_kind(path);
    if (kind < 0)
        return NULL;
    if (slot_check(path) != 0)
        return NULL;
    metcn_ofile_t *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    f->slot = -1;
    int gz = metcn_ends_with(path, ".gz") || metcn_ends_with(path, ".bgz");
    int fd = -1;
    if (kind == KIND_STDOUT) {
        f->fp = stdout;
    } else if (kind == KIND_THROUGH) {
        if (gz)
            f->bgzf = bgzf_open(path, "w6");
        else
            f->fp = fopen(path, "w");
    } else if ((f->node = tmp_create(path, &fd)) != NULL) {
        if (gz && !(f->bgzf = bgzf_dopen(fd, "w6")))
            close(fd);
        else if (!gz && !(f->fp = fdopen(fd, "w")))
            close(fd);
    } else {
        goto fail_quiet;
    }
    if (!f->bgzf && !f->fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open for writing: %s", path, strerror(errno));
        goto fail_quiet;
    }
    if (kind != KIND_STDOUT) {
        pthread_mutex_lock(&reg_lock);
        if ((f->set = current_set) != NULL)
            f->slot = slot_add(f->set, f->node ? SLOT_OPEN : SLOT_DISCARDED, f->node, path);
        pthread_mutex_unlock(&reg_lock);
        if (f->set && f->slot < 0) {
            f->set = NULL;
            metcn_ofile_close(f, 0);
            return NULL;
        }
    }
    return f;
fail_quiet:
    if (f->node) {
        unlink(f->node->tmp);
        reg_remove(f->node);
    }
    free(f->path);
    free(f);
    return NULL;
}

static void note_failure(metcn_ofile_t *f)
{
    if (!f->failed)
        f->failed = errno ? errno : -1;
}

int metcn_ofile_write(metcn_ofile_t *f, const void *buf, size_t len)
{
    if (f->failed)
        return METCN_E_IO;
    if (len == 0)
        return 0;
    errno = 0;
    if (f->bgzf) {
        if (bgzf_write(f->bgzf, buf, len) != (ssize_t)len)
            note_failure(f);
    } else if (fwrite(buf, 1, len, f->fp) != len) {
        note_failure(f);
    }
    return f->failed ? METCN_E_IO : 0;
}

int metcn_ofile_printf(metcn_ofile_t *f, const char *fmt, ...)
{
    if (f->failed)
        return METCN_E_IO;
    char small[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        f->failed = -1;
        return METCN_E_IO;
    }
    if ((size_t)n < sizeof small)
        return metcn_ofile_write(f, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) {
        f->failed = ENOMEM;
        return METCN_E_NOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int r = metcn_ofile_write(f, big, (size_t)n);
    free(big);
    return r;
}

const char *metcn_ofile_path(const metcn_ofile_t *f)
{
    return f->path;
}

/* Rename one temporary to its final name (outside any set). */
static int commit_one(tmpnode_t *n)
{
    int r = sync_file(n->tmp, n->final);
    if (r != 0)
        return r;
    atomic_store(&n->state, CLEAN_BOTH);
    if (rename(n->tmp, n->final) != 0) {
        int e = errno;
        atomic_store(&n->state, CLEAN_TMP); /* the final name still holds what it held */
        return metcn_set_error(METCN_E_IO, "%s: cannot rename the temporary file: %s", n->final,
                               strerror(e));
    }
    atomic_store(&n->state, CLEAN_NONE);
    return 0;
}

int metcn_ofile_close(metcn_ofile_t *f, int commit)
{
    if (!f)
        return 0;
    errno = 0;
    if (f->bgzf) {
        if (bgzf_close(f->bgzf) < 0)
            note_failure(f);
    } else if (f->fp == stdout) {
        if (fflush(stdout) != 0)
            note_failure(f);
    } else if (f->fp) {
        if (fclose(f->fp) != 0)
            note_failure(f);
    }
    int r = 0;
    if (f->failed && commit)
        r = metcn_set_error(METCN_E_IO, "%s: write failed%s%s",
                            strcmp(f->path, "-") == 0 ? "standard output" : f->path,
                            f->failed > 0 ? ": " : "", f->failed > 0 ? strerror(f->failed) : "");
    int keep = commit && !f->failed;
    if (f->set && f->slot >= 0) {
        /* in a set: the rename waits for metcn_outset_commit() */
        pthread_mutex_lock(&reg_lock);
        slot_t *sl = &f->set->slots[f->slot];
        sl->state = keep && f->node ? SLOT_WRITTEN : SLOT_DISCARDED;
        if (!keep)
            sl->node = NULL;
        pthread_mutex_unlock(&reg_lock);
        if (!keep && f->node) {
            unlink(f->node->tmp);
            reg_remove(f->node);
        }
    } else if (f->node) {
        if (keep && (r = commit_one(f->node)) != 0)
            keep = 0;
        if (!keep) {
            unlink(f->node->tmp);
            if (atomic_load(&f->node->state) == CLEAN_BOTH)
                unlink(f->node->final);
        }
        reg_remove(f->node);
    }
    free(f->path);
    free(f);
    return r;
}
