#ifndef SPOOL_CCURL_SHIM_H
#define SPOOL_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are C-variadic, which Swift cannot call.
   These typed wrappers pass each argument with its exact C type. */

static inline CURLcode spool_curl_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode spool_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode spool_curl_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode spool_curl_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode spool_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode spool_curl_setopt_mime(CURL *h, curl_mime *v) {
    return curl_easy_setopt(h, CURLOPT_MIMEPOST, v);
}

typedef size_t (*spool_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*spool_curl_sockopt_callback)(void *clientp, curl_socket_t fd, curlsocktype purpose);
typedef int (*spool_curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                           curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode spool_curl_setopt_write_function(CURL *h, spool_curl_data_callback f) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode spool_curl_setopt_header_function(CURL *h, spool_curl_data_callback f) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f);
}
static inline CURLcode spool_curl_setopt_read_function(CURL *h, spool_curl_data_callback f) {
    return curl_easy_setopt(h, CURLOPT_READFUNCTION, f);
}
static inline CURLcode spool_curl_setopt_sockopt_function(CURL *h, spool_curl_sockopt_callback f) {
    return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, f);
}
static inline CURLcode spool_curl_setopt_xferinfo_function(CURL *h, spool_curl_xferinfo_callback f) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f);
}

/* Added for the SSRF guard: CURLOPT_OPENSOCKETFUNCTION sees every address libcurl is about to connect to
   (after DNS, for every redirect hop) and can refuse it by returning CURL_SOCKET_BAD.
   CURLOPT_OPENSOCKETDATA goes through spool_curl_setopt_pointer. */
typedef curl_socket_t (*spool_curl_opensocket_callback)(void *clientp, curlsocktype purpose,
                                                        struct curl_sockaddr *address);
static inline CURLcode spool_curl_setopt_opensocket_function(CURL *h, spool_curl_opensocket_callback f) {
    return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, f);
}

static inline CURLcode spool_curl_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode spool_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode spool_curl_getinfo_string(CURL *h, CURLINFO i, char **v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode spool_curl_getinfo_double(CURL *h, CURLINFO i, double *v) {
    return curl_easy_getinfo(h, i, v);
}

/* Added for the SMTP sender (spool.email): CURLOPT_DEBUGFUNCTION sees every SMTP command sent and every
   reply line received, so a rejection can be tied to the command (MAIL FROM, RCPT TO:<address>, DATA) that
   drew it. Takes effect only with CURLOPT_VERBOSE=1; CURLOPT_DEBUGDATA goes through spool_curl_setopt_pointer. */
typedef int (*spool_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userptr);
static inline CURLcode spool_curl_setopt_debug_function(CURL *h, spool_curl_debug_callback f) {
    return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, f);
}

#endif
