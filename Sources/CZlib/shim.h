#ifndef SPOOL_CZLIB_SHIM_H
#define SPOOL_CZLIB_SHIM_H

#include <zlib.h>

/* deflateInit2/inflateInit2 are macros that pass the library version and the stream size. */
static inline int spool_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int spool_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
