#ifndef SPOOL_CHIREDIS_SHIM_H
#define SPOOL_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>

/// The context's error text; `errstr` is a char[128] that imports as a tuple.
static inline const char *spool_redis_errstr(const redisContext *c) {
    return c->errstr;
}

#endif
