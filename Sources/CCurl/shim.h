// libcurl, loaded on first use with dlopen and called through a table of
// function pointers, so that commands that never touch the network (--version,
// help, completions, usage errors, settings) do not pay for the dynamic loader
// resolving libcurl's ~35 dependencies (OpenSSL, ssh2, ldap, ...) at start-up.
// <curl/curl.h> still provides the types and constants; nothing links -lcurl.
//
// Typed, non-variadic wrappers: Swift cannot call curl_easy_setopt/getinfo,
// which are C variadic functions. Call ss_curl_load() (thread-safe, loads once)
// before any other ss_* function; they assume it returned NULL.
#ifndef SPARK_SPACE_CURL_SHIM_H
#define SPARK_SPACE_CURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if defined(__APPLE__)
#define SS_CURL_LIBRARY "libcurl.4.dylib"
#else
#define SS_CURL_LIBRARY "libcurl.so.4"
#endif

/// Every libcurl function spark-space calls.
typedef struct ss_curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *h);
    void (*easy_reset)(CURL *h);
    CURLcode (*easy_perform)(CURL *h);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *h, CURLoption o, ...);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO i, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
    curl_mime *(*mime_init)(CURL *h);
    void (*mime_free)(curl_mime *mime);
    curl_mimepart *(*mime_addpart)(curl_mime *mime);
    CURLcode (*mime_name)(curl_mimepart *part, const char *name);
    CURLcode (*mime_data)(curl_mimepart *part, const char *data, size_t size);
    CURLcode (*mime_filedata)(curl_mimepart *part, const char *path);
    CURLcode (*mime_filename)(curl_mimepart *part, const char *name);
    CURLcode (*mime_type)(curl_mimepart *part, const char *type);
    char *(*version)(void);
    CURLcode (*easy_send)(CURL *h, const void *buffer, size_t length, size_t *sent);
    CURLcode (*easy_recv)(CURL *h, void *buffer, size_t length, size_t *received);
} ss_curl_api;

/// Opens `library` and resolves every function into `api`. NULL on success,
/// else writes "cannot load LIBRARY: reason" into `error` and returns it.
/// Does not call curl_global_init.
static inline const char *ss_curl_open(const char *library, ss_curl_api *api, char *error, size_t size) {
    void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *reason = dlerror();
        if (!reason) reason = "unknown error";
        // glibc says "libcurl.so.4: cannot open shared object file: ...": drop the repeated name.
        size_t n = strlen(library);
        if (strncmp(reason, library, n) == 0 && reason[n] == ':' && reason[n + 1] == ' ') reason += n + 2;
        snprintf(error, size, "cannot load %s: %s", library, reason);
        return error;
    }
#define SS_CURL_RESOLVE(field, symbol)                                                        \
    do {                                                                                      \
        void *p = dlsym(lib, symbol);                                                         \
        if (!p) {                                                                             \
            snprintf(error, size, "cannot load %s: it has no function %s", library, symbol); \
            dlclose(lib);                                                                     \
            return error;                                                                     \
        }                                                                                     \
        memcpy(&api->field, &p, sizeof p);                                                    \
    } while (0)
    SS_CURL_RESOLVE(global_init, "curl_global_init");
    SS_CURL_RESOLVE(easy_init, "curl_easy_init");
    SS_CURL_RESOLVE(easy_cleanup, "curl_easy_cleanup");
    SS_CURL_RESOLVE(easy_reset, "curl_easy_reset");
    SS_CURL_RESOLVE(easy_perform, "curl_easy_perform");
    SS_CURL_RESOLVE(easy_strerror, "curl_easy_strerror");
    SS_CURL_RESOLVE(easy_setopt, "curl_easy_setopt");
    SS_CURL_RESOLVE(easy_getinfo, "curl_easy_getinfo");
    SS_CURL_RESOLVE(slist_append, "curl_slist_append");
    SS_CURL_RESOLVE(slist_free_all, "curl_slist_free_all");
    SS_CURL_RESOLVE(mime_init, "curl_mime_init");
    SS_CURL_RESOLVE(mime_free, "curl_mime_free");
    SS_CURL_RESOLVE(mime_addpart, "curl_mime_addpart");
    SS_CURL_RESOLVE(mime_name, "curl_mime_name");
    SS_CURL_RESOLVE(mime_data, "curl_mime_data");
    SS_CURL_RESOLVE(mime_filedata, "curl_mime_filedata");
    SS_CURL_RESOLVE(mime_filename, "curl_mime_filename");
    SS_CURL_RESOLVE(mime_type, "curl_mime_type");
    SS_CURL_RESOLVE(version, "curl_version");
    SS_CURL_RESOLVE(easy_send, "curl_easy_send");
    SS_CURL_RESOLVE(easy_recv, "curl_easy_recv");
#undef SS_CURL_RESOLVE
    return NULL;
}

/// The process-wide table and the outcome of loading it.
typedef struct ss_curl_state {
    ss_curl_api api;
    const char *failure;
    char error[512];
} ss_curl_state;

// One table per process: a weak global, not a `static` inside a `static inline` function. Swift
// emits a header's inline functions into every LLVM module that uses them (one per source file,
// even in a whole-module release build), each with its own statics: a file that never called
// ss_curl_load read a table of NULLs, and the optimizer deleted such calls as undefined behaviour
// (a release build's websocket close lost its curl_easy_cleanup and crashed). Every module emits
// this weak definition and the linker keeps one; being weak, no module may assume its contents.
__attribute__((weak)) ss_curl_state ss_curl_shared_state = {0};  // initialized: a definition, not a tentative one
__attribute__((weak)) pthread_once_t ss_curl_shared_once = PTHREAD_ONCE_INIT;

static inline ss_curl_state *ss_curl_state_get(void) { return &ss_curl_shared_state; }

static inline void ss_curl_load_once(void) {
    ss_curl_state *s = ss_curl_state_get();
    s->failure = ss_curl_open(SS_CURL_LIBRARY, &s->api, s->error, sizeof s->error);
    if (!s->failure && s->api.global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        snprintf(s->error, sizeof s->error, "cannot load %s: curl_global_init failed", SS_CURL_LIBRARY);
        s->failure = s->error;
    }
}

/// Loads libcurl and runs curl_global_init, once per process, from any thread.
/// NULL when the ss_* functions below may be called, else why not.
static inline const char *ss_curl_load(void) {
    pthread_once(&ss_curl_shared_once, ss_curl_load_once);
    return ss_curl_state_get()->failure;
}

#define SS_API (&ss_curl_state_get()->api)

static inline const char *ss_curl_version(void) { return SS_API->version(); }
static inline CURL *ss_easy_init(void) { return SS_API->easy_init(); }
static inline void ss_easy_cleanup(CURL *h) { SS_API->easy_cleanup(h); }
static inline void ss_easy_reset(CURL *h) { SS_API->easy_reset(h); }
static inline CURLcode ss_easy_perform(CURL *h) { return SS_API->easy_perform(h); }
static inline const char *ss_easy_strerror(CURLcode code) { return SS_API->easy_strerror(code); }
static inline struct curl_slist *ss_slist_append(struct curl_slist *list, const char *line) { return SS_API->slist_append(list, line); }
static inline void ss_slist_free_all(struct curl_slist *list) { SS_API->slist_free_all(list); }
static inline curl_mime *ss_mime_init(CURL *h) { return SS_API->mime_init(h); }
static inline void ss_mime_free(curl_mime *mime) { SS_API->mime_free(mime); }
static inline curl_mimepart *ss_mime_addpart(curl_mime *mime) { return SS_API->mime_addpart(mime); }
static inline CURLcode ss_mime_name(curl_mimepart *part, const char *name) { return SS_API->mime_name(part, name); }
static inline CURLcode ss_mime_data(curl_mimepart *part, const char *data, size_t size) { return SS_API->mime_data(part, data, size); }
static inline CURLcode ss_mime_filedata(curl_mimepart *part, const char *path) { return SS_API->mime_filedata(part, path); }
static inline CURLcode ss_mime_filename(curl_mimepart *part, const char *name) { return SS_API->mime_filename(part, name); }
static inline CURLcode ss_mime_type(curl_mimepart *part, const char *type) { return SS_API->mime_type(part, type); }

static inline CURLcode ss_setopt_long(CURL *h, CURLoption o, long v) { return SS_API->easy_setopt(h, o, v); }
static inline CURLcode ss_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return SS_API->easy_setopt(h, o, v); }
static inline CURLcode ss_setopt_string(CURL *h, CURLoption o, const char *v) { return SS_API->easy_setopt(h, o, v); }
static inline CURLcode ss_setopt_pointer(CURL *h, CURLoption o, void *v) { return SS_API->easy_setopt(h, o, v); }
static inline CURLcode ss_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return SS_API->easy_setopt(h, o, v); }
static inline CURLcode ss_setopt_mime(CURL *h, curl_mime *v) { return SS_API->easy_setopt(h, CURLOPT_MIMEPOST, v); }
static inline CURLcode ss_setopt_write_function(CURL *h, curl_write_callback f) { return SS_API->easy_setopt(h, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode ss_setopt_header_function(CURL *h, curl_write_callback f) { return SS_API->easy_setopt(h, CURLOPT_HEADERFUNCTION, f); }
static inline CURLcode ss_setopt_read_function(CURL *h, curl_read_callback f) { return SS_API->easy_setopt(h, CURLOPT_READFUNCTION, f); }
static inline CURLcode ss_setopt_xferinfo_function(CURL *h, curl_xferinfo_callback f) { return SS_API->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f); }

static inline CURLcode ss_getinfo_long(CURL *h, CURLINFO i, long *v) { return SS_API->easy_getinfo(h, i, v); }
static inline CURLcode ss_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return SS_API->easy_getinfo(h, i, v); }
static inline CURLcode ss_getinfo_double(CURL *h, CURLINFO i, double *v) { return SS_API->easy_getinfo(h, i, v); }

/* The websocket of `listen --websocket`: libcurl connects (TCP, TLS, proxy) with
   CURLOPT_CONNECT_ONLY, then spark-space speaks the HTTP/1.1 upgrade and RFC 6455 itself. */
static inline CURLcode ss_easy_send(CURL *h, const void *buffer, size_t length, size_t *sent) { return SS_API->easy_send(h, buffer, length, sent); }
static inline CURLcode ss_easy_recv(CURL *h, void *buffer, size_t length, size_t *received) { return SS_API->easy_recv(h, buffer, length, received); }
/// The connected socket of a CONNECT_ONLY handle (-1 when there is none).
static inline int ss_getinfo_active_socket(CURL *h) {
    curl_socket_t s = CURL_SOCKET_BAD;
    if (SS_API->easy_getinfo(h, CURLINFO_ACTIVESOCKET, &s) != CURLE_OK) return -1;
    return s == CURL_SOCKET_BAD ? -1 : (int)s;
}

#undef SS_API

#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* Threads that each fetch pages (walk-messages --parallel) would otherwise each get a
   malloc arena that keeps its largest page after it is freed, and glibc's sliding mmap
   threshold soon keeps page-sized buffers in those arenas too: +1 MB of peak memory per
   thread. Buffers of a page (over 256 KB) are mapped and given back; two arenas at most. */
static inline void ss_tune_malloc_for_threads(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_ARENA_MAX, 2);
#endif
}
#endif
