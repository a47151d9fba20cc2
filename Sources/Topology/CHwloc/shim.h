// The hwloc API as Swift sees it. hwloc 2.x only: the 1.x object model differs.
#include <hwloc.h>

#if HWLOC_API_VERSION < 0x00020000
#error "mcprov needs hwloc 2.x (Debian: libhwloc-dev from bookworm or later)"
#endif
